import XCTest
@testable import HTTP1

/// What a test compares of a parsed request head: every public field, with
/// the headers as ordered pairs so two heads can be checked for equality.
struct RequestSummary: Equatable, CustomStringConvertible {
    var method: HTTPMethod
    var target: String
    var version: HTTPVersion
    var headers: [String]
    var framing: BodyFraming
    var keepAlive: Bool
    var expectsContinue: Bool

    init(_ head: RequestHead) {
        method = head.method
        target = head.target
        version = head.version
        headers = head.headers.map { "\($0.name): \($0.value)" }
        framing = head.framing
        keepAlive = head.keepAlive
        expectsContinue = head.expectsContinue
    }

    var description: String {
        "\(method) \(target) \(version.text) \(headers) \(framing) keepAlive=\(keepAlive) continue=\(expectsContinue)"
    }
}

/// The same for a response head.
struct ResponseSummary: Equatable, CustomStringConvertible {
    var status: Int
    var reason: String
    var version: HTTPVersion
    var headers: [String]
    var framing: BodyFraming
    var keepAlive: Bool

    init(_ head: ResponseHead) {
        status = head.status
        reason = head.reason
        version = head.version
        headers = head.headers.map { "\($0.name): \($0.value)" }
        framing = head.framing
        keepAlive = head.keepAlive
    }

    var description: String {
        "\(version.text) \(status) \(reason) \(headers) \(framing) keepAlive=\(keepAlive)"
    }
}

/// One event as a test sees it. Consecutive body events are merged, because
/// how a body is cut into events depends on how its bytes arrived.
enum Parsed<Head: Equatable>: Equatable {
    case head(Head)
    case body([UInt8])
    case end
    case error(HTTPParseError)
}

typealias RequestEvent = Parsed<RequestSummary>
typealias ResponseEvent = Parsed<ResponseSummary>

extension Parsed {
    var error: HTTPParseError? {
        if case .error(let error) = self { return error }
        return nil
    }
}

extension Array {
    /// Appends an event, merging body bytes into a body event just before it.
    mutating func appendMerging<Head>(_ event: Parsed<Head>) where Element == Parsed<Head> {
        if case .body(let more) = event, case .body(let earlier)? = last {
            self[count - 1] = .body(earlier + more)
        } else {
            append(event)
        }
    }
}
