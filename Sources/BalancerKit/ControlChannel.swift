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
        var pending: [UInt8] = []
        var ended = false
        return LoopEvent.readable(base: base, fd: fd) {
            guard !ended else { return }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
            if count <= 0 {
                ended = true
                logger.warning("control channel closed (supervisor gone): stopping")
                return onCommand(nil)
            }
            pending += chunk[0..<count]
            while let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                if let command = ControlCommand(line: Substring(line)) { onCommand(command) } else {
                    logger.warning("ignoring control line '\(line)'")
                }
            }
        }
    }
}
