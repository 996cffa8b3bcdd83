import ClusterTesting
import Foundation

/// The client side of a kill storm: threads that PUT new blobs, GET them
/// back and DELETE some until a deadline, each recording what the cluster
/// acknowledged. A PUT answered 200 must read back whole later, a DELETE
/// answered 200 must stay gone. A DELETE that got anything else (or no
/// answer) may or may not have been done: its blob must be whole or gone.
/// A PUT without a 200 is not checked (it may or may not have been stored).
/// Every other acknowledged blob is kept (never deleted), so some are
/// left to read back however the storm goes.
final class StormClient: @unchecked Sendable {
    private let port: Int
    private let user: String
    private let lock = NSLock()
    /// Guarded by `lock`: merged from every thread when it ends.
    private(set) var acknowledged: [String: [UInt8]] = [:]
    private(set) var deleted: Set<String> = []
    /// Acknowledged, then a DELETE without an answer of 200.
    private(set) var maybeDeleted: [String: [UInt8]] = [:]
    private(set) var statuses: [String: Int] = [:]
    /// GETs answered 200 with other bytes than the acknowledged PUT's.
    private(set) var wrongBodies: [String] = []

    init(port: Int, user: String) {
        self.port = port
        self.user = user
    }

    /// Runs `threads` clients until `deadline`; returns when all are done.
    func run(threads: Int, until deadline: Date) {
        let group = DispatchGroup()
        for index in 0..<threads {
            group.enter()
            Thread { [self] in
                loop(thread: index, until: deadline)
                group.leave()
            }.start()
        }
        group.wait()
    }

    private func loop(thread: Int, until deadline: Date) {
        var mine: [String: [UInt8]] = [:]
        var gone: Set<String> = []
        var maybeGone: [String: [UInt8]] = [:]
        var counts: [String: Int] = [:]
        var wrong: [String] = []
        var deletable: [String] = []
        var next = 0
        while Date() < deadline {
            let choice = Int.random(in: 0..<10)
            if choice < 5 || mine.isEmpty {
                next += 1
                let id = "t\(thread)-\(next)"
                let body = Self.randomBytes(Int.random(in: 1...65536))
                let status = send("PUT", id, body, &counts)?.status
                if status == 200 {
                    mine[id] = body
                    if next % 2 == 1 { deletable.append(id) }
                }
            } else if choice < 8, let (id, body) = mine.randomElement() {
                if let response = send("GET", id, nil, &counts), response.status == 200, response.body != body { wrong.append(id) }
            } else if let index = deletable.indices.randomElement() {
                let id = deletable.remove(at: index)
                let body = mine.removeValue(forKey: id)!
                if send("DELETE", id, nil, &counts)?.status == 200 { gone.insert(id) } else { maybeGone[id] = body }
            }
        }
        lock.lock()
        acknowledged.merge(mine) { $1 }
        deleted.formUnion(gone)
        maybeDeleted.merge(maybeGone) { $1 }
        statuses.merge(counts, uniquingKeysWith: +)
        wrongBodies += wrong
        lock.unlock()
    }

    /// `count` random bytes, eight at a time (a loop of `UInt8.random`
    /// costs about a second per MiB in a debug build).
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let words = (0..<(count + 7) / 8).map { _ in generator.next() as UInt64 }
        return words.withUnsafeBytes { Array($0.prefix(count)) }
    }

    /// One request; counted as `METHOD STATUS`, or `METHOD no answer`.
    private func send(_ method: String, _ id: String, _ body: [UInt8]?, _ counts: inout [String: Int]) -> TestResponse? {
        let response = try? TestHTTP.request(port: port, method: method, path: "/blobs/\(user)/\(id)", body: body)
        counts["\(method) \(response.map { String($0.status) } ?? "no answer")", default: 0] += 1
        return response
    }
}
