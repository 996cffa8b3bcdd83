#if canImport(Glibc)
import Glibc
#endif
import Logging

/// A pipe from a parent whose write end only the parent holds: when the
/// parent dies, however it dies, the pipe reaches EOF and the child stops.
/// This is how no worker or balancer outlives its supervisor.
public enum Lifeline {
    /// Watches `fd` on the loop; calls `onLost` once at EOF (bytes read
    /// before it are ignored).
    public static func watch(base: EventBase, fd: Int32, logger: Logger, onLost: @escaping () -> Void) -> LoopEvent {
        final class WeakEvent { weak var event: LoopEvent? }
        let holder = WeakEvent()
        var lost = false
        let event = LoopEvent.readable(base: base, fd: fd) {
            var scratch = [UInt8](repeating: 0, count: 256)
            let count = scratch.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count == 0 || (count < 0 && errno != EINTR && errno != EAGAIN), !lost else { return }
            lost = true
            holder.event?.cancel()  // EOF stays readable: stop watching
            logger.warning("parent gone (lifeline closed): stopping")
            onLost()
        }
        holder.event = event
        return event
    }
}
