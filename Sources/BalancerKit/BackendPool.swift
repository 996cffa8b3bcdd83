import EventCore

/// The backends in round-robin order: `next(excluding:)` hands out the UP
/// ones in turn, skipping those a request already failed on.
public struct BackendPool: Sendable {
    public private(set) var backends: [Backend] = []
    private var cursor = 0
    private let rise: Int
    private let fall: Int

    public init(addresses: [SocketAddress], rise: Int, fall: Int) {
        self.rise = rise
        self.fall = fall
        for address in addresses { add(address) }
    }

    /// The next UP backend after the last one given, not in `excluded`.
    public mutating func next(excluding excluded: [SocketAddress] = []) -> SocketAddress? {
        guard !backends.isEmpty else { return nil }
        for step in 0..<backends.count {
            let index = (cursor + step) % backends.count
            let backend = backends[index]
            if backend.state == .up && !excluded.contains(backend.address) {
                cursor = (index + 1) % backends.count
                return backend.address
            }
        }
        return nil
    }

    public var upCount: Int {
        var count = 0
        for backend in backends where backend.state == .up { count += 1 }
        return count
    }

    /// Adds a backend, UP at once (the supervisor adds only healthy ones);
    /// re-adding a known one brings it back UP.
    public mutating func add(_ address: SocketAddress) {
        if let index = index(of: address) {
            backends[index].state = .up
            backends[index].health = HealthChecker(rise: rise, fall: fall, up: true)
        } else {
            backends.append(Backend(address: address, health: HealthChecker(rise: rise, fall: fall, up: true)))
        }
    }

    public mutating func drain(_ address: SocketAddress) {
        if let index = index(of: address) { backends[index].state = .draining }
    }

    public mutating func remove(_ address: SocketAddress) {
        guard let index = index(of: address) else { return }
        backends.remove(at: index)
        if cursor > index { cursor -= 1 }
        if !backends.isEmpty { cursor %= backends.count } else { cursor = 0 }
    }

    /// A connection was refused or reset: DOWN at once, until checks pass.
    @discardableResult
    public mutating func markDown(_ address: SocketAddress) -> Bool {
        guard let index = index(of: address), backends[index].state == .up else { return false }
        backends[index].state = .down
        backends[index].health = HealthChecker(rise: rise, fall: fall, up: false)
        return true
    }

    /// Feeds one health check result; returns the new state if it changed.
    public mutating func record(check succeeded: Bool, for address: SocketAddress) -> BackendState? {
        guard let index = index(of: address), backends[index].state != .draining else { return nil }
        guard let nowUp = backends[index].health.record(success: succeeded) else { return nil }
        backends[index].state = nowUp ? .up : .down
        return backends[index].state
    }

    private func index(of address: SocketAddress) -> Int? {
        backends.firstIndex { $0.address == address }
    }
}
