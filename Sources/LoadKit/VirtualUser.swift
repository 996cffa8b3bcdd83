import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// One simulated client: takes an action, makes its requests in order on
/// its connection, records each, and goes on until none is left.
final class VirtualUser {
    private unowned let runner: LoadRunner
    private let base: EventBase
    private var connection: LoadConnection?
    private var steps: [RequestKind] = []
    private var blobID = ""
    private var blob: [UInt8] = []
    private var requestStarted: UInt64?
    private var current: RequestKind?
    private var generation = 0

    init(runner: LoadRunner, base: EventBase) {
        self.runner = runner
        self.base = base
    }

    func startNextAction() {
        guard let id = runner.takeAction() else { return runner.userFinished() }
        blobID = id
        steps = runner.plan.action.steps
        blob = steps.contains(.put) ? runner.blob(for: id) : []
        nextStep()
    }

    private func nextStep() {
        guard !steps.isEmpty else { return startNextAction() }
        let kind = steps.removeFirst()
        current = kind
        requestStarted = Clock.microseconds()
        if let connection, connection.isOpen, !runner.plan.newConnectionPerRequest {
            send(kind, on: connection)
            return
        }
        connection?.close()
        connection = nil
        generation += 1
        let expected = generation
        Connector(base: base, address: runner.plan.target.address, timeout: runner.plan.timeout) { [unowned self] result in
            guard expected == self.generation else {
                if case .success(let fd) = result { Glibc.close(fd) }  // a connect that outlived its request
                return
            }
            switch result {
            case .success(let fd):
                let connection = LoadConnection(base: self.base, fd: fd)
                self.connection = connection
                self.send(kind, on: connection)
            case .failure(let error):
                self.fail(kind, reason: error.errno == ECONNREFUSED ? "refused" : error.errno == ETIMEDOUT ? "timeout" : "connect")
            }
        }
    }

    private func send(_ kind: RequestKind, on connection: LoadConnection) {
        let plan = runner.plan
        let user = plan.user
        let (method, path): (String, String)
        var body: [UInt8]? = nil
        var expect: [UInt8]? = nil
        switch kind {
        case .baseline: (method, path) = ("GET", "/")
        case .list: (method, path) = ("GET", "/blobs/\(user)/")
        case .put: (method, path, body) = ("PUT", "/blobs/\(user)/\(blobID)", blob)
        case .get: (method, path, expect) = ("GET", "/blobs/\(user)/\(blobID)", blob)
        case .flag: (method, path, body) = ("POST", "/blobs/\(user)/\(blobID)", Array(#"["PROCESSING"]"#.utf8))
        case .delete: (method, path) = ("DELETE", "/blobs/\(user)/\(blobID)")
        }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(plan.target.hostHeader)\r\n"
        if let body { head += "Content-Length: \(body.count)\r\n" }
        if plan.newConnectionPerRequest { head += "Connection: close\r\n" }
        head += "\r\n"
        let sentGeneration = generation
        connection.send(head: Array(head.utf8), body: body, expect: expect) { [unowned self] outcome in
            guard sentGeneration == self.generation else { return }
            let micros = Clock.microseconds() - (self.requestStarted ?? 0)
            self.requestStarted = nil
            self.runner.record(kind, micros: micros, outcome: outcome)
            switch outcome {
            case .answered(let status, _, let keepAlive):
                if !keepAlive { self.dropConnection() }
                // A failed PUT leaves nothing for the GET, POST or DELETE.
                if status != 200 && kind == .put { self.steps = [] }
                self.nextStep()
            case .failed:
                self.dropConnection()
                self.steps = []
                self.nextStep()
            }
        }
    }

    private func fail(_ kind: RequestKind, reason: String) {
        requestStarted = nil
        runner.record(kind, micros: 0, outcome: .failed(reason))
        steps = []
        nextStep()
    }

    private func dropConnection() {
        connection?.close()
        connection = nil
    }

    /// A request outstanding longer than `limit` is counted as a timeout.
    func checkTimeout(now: UInt64, limit: UInt64) {
        guard let started = requestStarted, now - started > limit, let kind = current else { return }
        generation += 1
        dropConnection()
        fail(kind, reason: "timeout")
    }

    func close() {
        dropConnection()
    }
}
