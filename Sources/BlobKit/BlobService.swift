import BlobProtocol
import EventCore
import HTTP1
import HTTPServerKit
import Logging

/// The worker's HTTP handler: routes each request by path and method to
/// the endpoint of API.md that serves it, after the names are validated
/// and the credentials checked. Only handlers choose status codes.
public final class BlobService: HTTPHandler {
    let store: BlobStore
    let maxBody: Int
    let credentials: Credentials?
    let logger: Logger
    /// Paths outside the API go here (the metrics endpoint): asked only
    /// once the router found no route, so the API's requests never pay for it.
    public var outsideTheAPI: HTTPHandler?
    /// Store failures are counted here too (nil: only logged).
    let failures: StoreFailureCounter?
    var report: FailureReport { FailureReport(logger: logger, counter: failures) }
    /// Listings walk the file system off the loop, so a namespace of
    /// 100,000 blobs does not stall the other clients.
    let background: BackgroundWork?
    /// Bounds the listings running at once, and those waiting (503 beyond).
    let listings: ListingGate

    public init(store: BlobStore, maxBody: Int, credentials: Credentials?, logger: Logger, background: BackgroundWork? = nil,
                listings: ListingGate = ListingGate(maxRunning: 2, maxWaiting: 8), failures: StoreFailureCounter? = nil) {
        self.failures = failures
        self.background = background
        self.listings = listings
        self.store = store
        self.maxBody = maxBody
        self.credentials = credentials
        self.logger = logger
    }

    /// `GET /`'s answer, made once: nothing can be cheaper.
    private static let baseline = HTTPResponse(status: 200)

    public func handle(_ request: RequestHead, from peer: String) -> HandlerDecision {
        // Both from the target's bytes in place: no String of the target on every request.
        let (route, query) = request.withPathAndQueryBytes { path, query in
            (BlobRoute(path: path), QueryParameters(query.map { Substring(String(decoding: $0, as: UTF8.self)) }))
        }
        let method = request.method == .HEAD ? HTTPMethod.GET : request.method
        switch route {
        case .baseline where method == .GET:
            return .respond(Self.baseline)
        case .healthcheck where method == .GET:
            return .respond(healthcheck())
        case .notFound:
            if let outsideTheAPI { return outsideTheAPI.handle(request, from: peer) }
            return .respond(.text(404, "no such resource: \(request.path)"))
        case .badPath:
            return .respond(.text(400, "malformed path"))
        default:
            break
        }
        guard route.allows(method) else {
            var response = HTTPResponse.text(405, "method \(request.method) not allowed here")
            response.headers.append(name: "Allow", value: route.allowed.joined(separator: ", "))
            return .respond(response)
        }
        do {
            switch route {
            case .list(let user):
                let names = try authorized(request, user: user, namespace: query["namespace"])
                return try list(names, query: query, request: request)
            case .blob(let user, let id):
                let names = try authorized(request, user: user, namespace: query["namespace"])
                let blobID = try BlobName(validating: id, kind: .id)
                return try blob(method: method, names: names, id: blobID, query: query, request: request)
            case .stream(let user):
                let names = try authorized(request, user: user, namespace: query["namespace"])
                return try stream(names: names, query: query, request: request)
            default:
                return .respond(.text(404, "no such resource"))
            }
        } catch {
            return .respond(Self.response(for: error, report: report, otherwise: internalError(error)))
        }
    }

    private func healthcheck() -> HTTPResponse {
        if let problem = store.healthCheck() {
            logger.error("healthcheck failed: \(problem.logDescription)")
            return .text(503, "unhealthy: \(problem.reason)")
        }
        return .json(200, Array(#"{"healthy": true}"#.utf8))
    }

    /// Validates user and namespace, then checks the credentials for that user.
    private func authorized(_ request: RequestHead, user: String, namespace: String?) throws -> UserNamespace {
        let names = UserNamespace(
            user: try BlobName(validating: user, kind: .user),
            namespace: try namespace.map { try BlobName(validating: $0, kind: .namespace) } ?? .defaultNamespace)
        guard let credentials else { return names }
        switch credentials.check(authorization: request.headers["authorization"], user: user) {
        case .allowed: return names
        case .unauthenticated: throw RequestError.unauthenticated
        case .forbidden: throw RequestError.forbidden
        }
    }

    /// The one place failures become answers. Store failures: the client
    /// gets the one-line reason, the log also the path (never sent: it would
    /// tell a client how the server's disk is laid out). Anything else is
    /// `otherwise`.
    static func response(for error: any Error, report: FailureReport,
                         otherwise fallback: @autoclosure () -> HTTPResponse) -> HTTPResponse {
        switch error {
        case StoreError.alreadyDone:
            // A repeat of a request already done answers as the original did.
            return HTTPResponse(status: 200)
        case let error as StoreError:
            if case .system = error { report.logger.error("store failure: \(error.logDescription)") }
            if let failure = StoreFailure(error) { report.counter?.count(failure) }
            var response = HTTPResponse.text(error.status, error.reason)
            if let seconds = error.retryAfter { response.headers.append(name: "Retry-After", value: String(seconds)) }
            return response
        case let error as RequestError:
            return error.response
        case let error as WireFormatError:
            return .text(400, error.reason)
        default:
            return fallback()
        }
    }

    private func internalError(_ error: any Error) -> HTTPResponse {
        logger.error("internal error: \(error)")
        return .text(500, "internal error")
    }

    /// A JSON answer, gzip-compressed when the client accepts it and it is
    /// large enough to gain from it.
    /// Every variant says `Vary: Accept-Encoding`, the plain one too, so a
    /// cache never hands a gzip body to a client that did not ask for it.
    static func json(_ bytes: [UInt8], gzip: Bool) -> HTTPResponse {
        var response = HTTPResponse.json(200, bytes)
        response.headers.append(name: "Vary", value: "Accept-Encoding")
        if bytes.count >= 1024, gzip, let compressed = Gzip.compress(bytes) {
            response.body = .bytes(compressed)
            response.headers.append(name: "Content-Encoding", value: "gzip")
        }
        return response
    }
}
