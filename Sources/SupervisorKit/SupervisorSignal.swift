/// The signals the supervisor acts on, once they are loop events (the C
/// handler only wakes the loop: gunicorn's and nginx's habit).
public enum SupervisorSignal: Sendable {
    /// SIGTERM: stop gracefully.
    case terminate
    /// SIGINT: stop gracefully; a second one kills everything at once.
    case interrupt
    /// SIGHUP: replace the workers one at a time.
    case hangup
    /// SIGTTIN / SIGTTOU: one worker more / fewer (within 1...maxWorkers).
    case increase, decrease
}
