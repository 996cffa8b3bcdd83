#if canImport(Glibc)
import Glibc
#endif
import ClusterControl
import EventCore
import Logging

/// Line commands from an inherited descriptor; `onCommand(nil)` at EOF.
public enum ControlChannel {
    /// One line back on the channel (a socket under blob-cluster). A short
    /// line into the supervisor's buffer; if it cannot take it whole (a pipe
    /// cannot be written back, a supervisor not reading) it is dropped: the
    /// supervisor asks again.
    public static func answer(_ line: String, fd: Int32) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
    }

    public static func watch(base: EventBase, fd: Int32, logger: Logger, onCommand: @escaping (ControlCommand?) -> Void) -> LoopEvent {
        var reader = LineReader()
        var ended = false
        return LoopEvent.readable(base: base, fd: fd) {
            guard !ended else { return }
            guard let lines = reader.read(from: fd) else {
                ended = true
                logger.warning("control channel closed (supervisor gone): stopping")
                return onCommand(nil)
            }
            for line in lines {
                if let command = ControlCommand(line: Substring(line)) { onCommand(command) } else {
                    logger.warning("ignoring control line '\(line)'")
                }
            }
        }
    }
}
