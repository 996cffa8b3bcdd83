import Foundation

/// Real `blob-server` workers on 127.0.0.1 sharing one fresh store, as the
/// balancer tests put them behind a balancer; `stop()` ends them by pid and
/// removes the store.
public final class WorkerGroup {
    public let store: String
    public private(set) var processes: [TestProcess] = []
    public private(set) var ports: [Int] = []

    /// `arguments` are given to every worker (e.g. `--quota`).
    public init(count: Int, storeName: String, arguments: [String] = []) throws {
        store = NSTemporaryDirectory() + "\(storeName)-\(UUID().uuidString)"
        for _ in 0..<count {
            let worker = try TestProcess("blob-server", ["--port", "0", "--store", store] + arguments)
            processes.append(worker)
            ports.append(try worker.waitForListeningPort())
        }
    }

    public func stop() {
        processes.forEach { $0.stop() }
        try? FileManager.default.removeItem(atPath: store)
    }
}
