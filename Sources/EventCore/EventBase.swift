import CLibevent

/// The one libevent loop of a process: made in `main`, passed down to
/// whatever needs it, run by `main`, freed once when `main` is done.
public final class EventBase {
    /// The libevent handle; valid until `close()`.
    public private(set) var raw: OpaquePointer?

    public init() throws(SystemError) {
        guard let base = event_base_new() else { throw SystemError(call: "event_base_new", errno: 0) }
        raw = base
    }

    /// A loop whose timers fire to the microsecond (epoll waits in whole
    /// milliseconds otherwise; with this flag libevent uses a timerfd): for
    /// an open-loop client, whose latencies count from when a timer was due.
    public init(preciseTimers: Bool) throws(SystemError) {
        guard let config = event_config_new() else { throw SystemError(call: "event_config_new", errno: 0) }
        defer { event_config_free(config) }
        if preciseTimers { event_config_set_flag(config, Int32(EVENT_BASE_FLAG_PRECISE_TIMER.rawValue)) }
        guard let base = event_base_new_with_config(config) else { throw SystemError(call: "event_base_new_with_config", errno: 0) }
        raw = base
    }

    /// The loop's handle; a precondition failure after `close()`.
    public var handle: OpaquePointer {
        guard let raw else { preconditionFailure("EventBase used after close") }
        return raw
    }

    /// Runs until `stop()` is called or nothing is left to wait for.
    public func run() {
        event_base_dispatch(handle)
    }

    /// Makes `run()` return after the current callbacks.
    public func stop() {
        event_base_loopbreak(handle)
    }

    /// The time of the loop's current pass (no system call), in seconds.
    public var cachedNow: Double {
        var tv = timeval()
        event_base_gettimeofday_cached(handle, &tv)
        return Double(tv.tv_sec) + Double(tv.tv_usec) / 1_000_000
    }

    /// Frees the loop. Every event made on it must have been freed first.
    public func close() {
        guard let base = raw else { return }
        raw = nil
        event_base_free(base)
    }

    deinit {
        assert(raw == nil, "EventBase not closed")
    }
}
