/// A backend's place in the rotation (haproxy's words).
public enum BackendState: Equatable, Sendable {
    case up
    case down
    /// Takes no new connections or requests; existing ones finish.
    case draining
}
