import HTTP1
import HTTPServerKit
import Prometheus

/// Answers `GET /metrics` with the registry in Prometheus's text format,
/// and 404 to any other path (a server's own handler asks it only about
/// paths it does not serve itself). `beforeScrape`
/// runs before each scrape, to set gauges that are read rather than
/// counted (open connections, queue lengths).
public final class MetricsEndpoint: HTTPHandler {
    public static let path = "/metrics"
    /// The text exposition format's media type, version 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let registry: PrometheusCollectorRegistry
    /// Runs before each scrape (set after init: it usually needs the server
    /// this endpoint is the handler of).
    public var beforeScrape: () -> Void = {}
    /// Families counted outside the registry, written after its own.
    public var histograms: [LatencyHistogram] = []

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    public func handle(_ request: RequestHead, from peer: String) -> HandlerDecision {
        let isMetrics = request.withTargetBytes(Self.isMetricsTarget)
        guard isMetrics else { return .respond(.text(404, "no such resource: \(request.path)")) }
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
        var text = registry.emitToBuffer()
        for histogram in histograms { histogram.write(into: &text) }
        return HTTPResponse(status: 200, headers: headers, body: .bytes(text))
    }

    /// `/metrics`, or `/metrics?...`: a length and one compare of eight bytes.
    static func isMetricsTarget(_ target: UnsafeRawBufferPointer) -> Bool {
        guard target.count == 8 || (target.count > 8 && target[8] == UInt8(ascii: "?")) else { return false }
        return target.loadUnaligned(as: UInt64.self) == metricsBytes
    }

    private static let metricsBytes: UInt64 = Array(path.utf8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
}
