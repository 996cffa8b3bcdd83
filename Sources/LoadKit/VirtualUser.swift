import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// One simulated client: takes an action, makes its requests in order on
/// its connection (or a new one per request), records each, and goes on
/// until none is left. Its connection and its timer are its own to free.
final class VirtualUser {
    private unowned let runner: ActionSource
    private let base: EventBase
    private var connection: LoadConnection?
    private var steps: [RequestKind] = []
    private var blobID = ""
    private var blob: [UInt8] = []
    /// When the request in flight was written: its timeout counts from here.
    private var requestStarted: UInt64?
    /// Where its latency counts from: the action's due time for an open
    /// loop's first request (the coordinated-omission correction), else `requestStarted`.
    private var latencyOrigin: UInt64 = 0
    /// The due time of the action just taken, until its first request is made.
    private var pendingDue: UInt64?
    /// The action under way: when it was due, and how it is going so far.
    private var action: (due: UInt64?, result: ActionResult)?
    private var current: RequestKind?
    /// Bumped whenever the request in flight is abandoned, so a late answer
    /// or connect of an older one is ignored.
    private var generation = 0
    /// Goes on from the loop after a failure that came back synchronously
    /// (a refused loopback connect), instead of recursing once per action.
    private var resume: LoopEvent?

    init(runner: ActionSource, base: EventBase) {
        self.runner = runner
        self.base = base
        resume = LoopEvent.timer(base: base, repeating: false) { [unowned self] in self.nextStep() }
    }

    func startNextAction() {
        guard let taken = runner.takeAction() else { return runner.userIdle(self) }
        blobID = taken.blobID
        action = (taken.due, .ok)
        pendingDue = taken.due
        steps = runner.plan.action.steps(cleaningUp: runner.plan.cleanUp)
        blob = steps.contains(.put) ? runner.blob(for: taken.blobID) : []
        nextStep()
    }

    private func nextStep() {
        guard !steps.isEmpty else {
            endAction()
            return startNextAction()
        }
        let kind = steps.removeFirst()
        current = kind
        let plan = runner.plan
        let request = LoadRequest(kind: kind, user: plan.user, blobID: blobID, blob: blob,
                                  host: plan.target.hostHeader, close: plan.newConnectionPerRequest,
                                  namespace: plan.namespace)
        let now = Clock.microseconds()
        requestStarted = now
        latencyOrigin = pendingDue ?? now
        pendingDue = nil
        if let connection, connection.isOpen, !plan.newConnectionPerRequest {
            return send(request, on: connection)
        }
        dropConnection()
        generation += 1
        let expected = generation
        Connector(base: base, address: plan.target.address, timeout: plan.timeout) { [unowned self] result in
            guard expected == self.generation else {
                if case .success(let fd) = result { Glibc.close(fd) }  // a connect that outlived its request
                return
            }
            switch result {
            case .success(let fd):
                let connection = LoadConnection(base: self.base, fd: fd)
                self.connection = connection
                self.send(request, on: connection)
            case .failure(let error):
                self.fail(kind, reason: VirtualUser.reason(connectErrno: error.errno))
            }
        }
    }

    private func send(_ request: LoadRequest, on connection: LoadConnection) {
        let sentGeneration = generation
        connection.send(request) { [unowned self] outcome in
            guard sentGeneration == self.generation else { return }
            let micros = Clock.microseconds() - self.latencyOrigin
            self.requestStarted = nil
            self.runner.record(request.kind, micros: micros, outcome: outcome)
            switch outcome {
            case .answered(let status, let verified, let keepAlive):
                if !keepAlive { self.dropConnection() }
                if status != request.kind.expectedStatus || !verified { self.worsen(.notOK) }
                // A failed PUT leaves nothing for the GET, POST or DELETE.
                if status != RequestKind.put.expectedStatus && request.kind == .put { self.steps = [] }
                self.nextStep()
            case .failed:
                self.fail(nil, reason: "")
            }
        }
    }

    /// Ends the action after a failure (recorded here when `kind` is given)
    /// and goes on with the next one from the loop.
    private func fail(_ kind: RequestKind?, reason: String) {
        requestStarted = nil
        worsen(.failed)
        if let kind { runner.record(kind, micros: 0, outcome: .failed(reason)) }
        dropConnection()
        steps = []
        resume?.add(after: 0)
    }

    private func worsen(_ result: ActionResult) {
        guard let current = action?.result else { return }
        action?.result = current.worsened(by: result)
    }

    private func endAction() {
        guard let ended = action else { return }
        action = nil
        runner.actionEnded(ended.result, due: ended.due)
    }

    private func dropConnection() {
        connection?.close()
        connection = nil
    }

    /// A request outstanding longer than `limit` is counted as a timeout.
    func checkTimeout(now: UInt64, limit: UInt64) {
        guard let started = requestStarted, now - started > limit, let kind = current else { return }
        generation += 1
        fail(kind, reason: "timeout")
    }

    func close() {
        dropConnection()
        resume?.close()
        resume = nil
    }

    /// How a failed connect is counted.
    static func reason(connectErrno: Int32) -> String {
        switch connectErrno {
        case ECONNREFUSED: return "refused"
        case ETIMEDOUT: return "timeout"
        case ECONNRESET: return "reset"
        default: return "connect"
        }
    }
}
