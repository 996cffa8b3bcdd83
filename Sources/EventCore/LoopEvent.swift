import CLibevent

/// One libevent `event` (a timer or a signal) and the closure it runs.
/// Owns the event: `close()` frees it once; `deinit` asserts that happened.
public final class LoopEvent {
    private var raw: OpaquePointer?
    private let action: () -> Void

    private init(base: EventBase, fd: Int32, what: Int16, action: @escaping () -> Void) {
        self.action = action
        let context = Unmanaged.passUnretained(self).toOpaque()
        raw = event_new(base.handle, fd, what, LoopEvent.trampoline, context)
        precondition(raw != nil, "event_new failed")
    }

    /// A persistent timer firing every `interval` seconds once armed.
    public static func timer(base: EventBase, repeating: Bool, action: @escaping () -> Void) -> LoopEvent {
        LoopEvent(base: base, fd: -1, what: repeating ? Int16(EV_PERSIST) : 0, action: action)
    }

    /// A signal turned into a loop event (`evsignal_new` is a macro Swift
    /// cannot import); the handler runs in the loop, never in signal context.
    public static func signal(base: EventBase, _ number: Int32, action: @escaping () -> Void) -> LoopEvent {
        let event = LoopEvent(base: base, fd: number, what: Int16(EV_SIGNAL | EV_PERSIST), action: action)
        event.add()
        return event
    }

    /// A persistent read event on a descriptor (a control pipe, say).
    public static func readable(base: EventBase, fd: Int32, action: @escaping () -> Void) -> LoopEvent {
        let event = LoopEvent(base: base, fd: fd, what: Int16(EV_READ | EV_PERSIST), action: action)
        event.add()
        return event
    }

    /// Arms the event: after `seconds` for a timer, or until fired otherwise.
    public func add(after seconds: Double? = nil) {
        guard let raw else { return }
        if let seconds {
            var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
            event_add(raw, &tv)
        } else {
            event_add(raw, nil)
        }
    }

    /// Disarms without freeing.
    public func cancel() {
        if let raw { event_del(raw) }
    }

    public func close() {
        guard let event = raw else { return }
        raw = nil
        event_free(event)
    }

    deinit {
        assert(raw == nil, "LoopEvent not closed")
    }

    private static let trampoline: event_callback_fn = { _, _, context in
        let event = Unmanaged<LoopEvent>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(event) { event.action() }
    }
}
