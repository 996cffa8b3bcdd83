import HTTP1
import HTTPServerKit
import Prometheus

/// Answers `GET /metrics` with the registry in Prometheus's text format and
/// hands every other request to `inner` (404 without one). `beforeScrape`
/// runs before each scrape, to set gauges that are read rather than
/// counted (open connections, queue lengths).
public final class MetricsEndpoint: HTTPHandler {
    public static let path = "/metrics"
    /// The text exposition format's media type, version 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let registry: PrometheusCollectorRegistry
    private let inner: HTTPHandler?
    /// Runs before each scrape (set after init: it usually needs the server
    /// this endpoint is the handler of).
    public var beforeScrape: () -> Void = {}

    public init(registry: PrometheusCollectorRegistry, inner: HTTPHandler? = nil) {
        self.registry = registry
        self.inner = inner
    }

    public func handle(_ request: RequestHead, from peer: String) -> HandlerDecision {
        let isMetrics = request.withPathAndQueryBytes { path, _ in Self.isMetricsPath(path) }
        guard isMetrics else {
            if let inner { return inner.handle(request, from: peer) }
            return .respond(.text(404, "no such resource: try \(Self.path)"))
        }
        guard request.method == .GET || request.method == .HEAD else {
            var response = HTTPResponse.text(405, "method \(request.method) not allowed here")
            response.headers.append(name: "Allow", value: "GET, HEAD")
            return .respond(response)
        }
        return .respond(scrape())
    }

    /// The current figures as an answer.
    public func scrape() -> HTTPResponse {
        beforeScrape()
        var headers = HTTPHeaders()
        headers.append(name: "Content-Type", value: Self.contentType)
        return HTTPResponse(status: 200, headers: headers, body: .bytes(registry.emitToBuffer()))
    }

    static func isMetricsPath(_ path: UnsafeRawBufferPointer) -> Bool {
        path.count == 8 && path.elementsEqual(path8)
    }

    private static let path8: [UInt8] = Array(path.utf8)
}
