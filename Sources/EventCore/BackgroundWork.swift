import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Runs long work (a directory walk of a huge namespace) off the loop, on
/// a background thread, and hands each result back to the loop: finished
/// completions wait in a locked queue and a byte on a pipe wakes the loop,
/// which runs them there. One per loop; the loop keeps serving meanwhile.
public final class BackgroundWork: @unchecked Sendable {
    /// Guards `finished` (a serial queue is the lock: no Foundation needed).
    private let finishedLock = DispatchQueue(label: "background-work.finished")
    private var finished: [() -> Void] = []
    private var readEnd: Int32 = -1
    private var writeEnd: Int32 = -1
    private var wakeup: LoopEvent?
    private let queue = DispatchQueue(label: "background-work", attributes: .concurrent)

    public init(base: EventBase) throws(SystemError) {
        var fds: [Int32] = [-1, -1]
        try syscall("pipe") { pipe(&fds) }
        readEnd = fds[0]
        writeEnd = fds[1]
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeup = LoopEvent.readable(base: base, fd: readEnd) { [unowned self] in self.runFinished() }
    }

    /// Runs `work` on a background thread, then `then` with its result on
    /// the loop. `work` must touch nothing the loop owns.
    public func run<T>(_ work: @escaping @Sendable () -> T, then: @escaping (T) -> Void) {
        let deliver = UncheckedBox(then)
        queue.async { [self] in
            let result = UncheckedBox(work())
            // Under the lock, so close() cannot close the pipe in between and
            // let this write land on whatever reused its descriptor number.
            finishedLock.sync {
                guard writeEnd >= 0 else { return }  // closed: nobody is waiting
                finished.append { deliver.value(result.value) }
                var byte: UInt8 = 1
                _ = write(writeEnd, &byte, 1)  // a full pipe already means "wake up"
            }
        }
    }

    private func runFinished() {
        var drain = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &drain, drain.count) > 0 {}
        let ready = finishedLock.sync {
            defer { finished = [] }
            return finished
        }
        ready.forEach { $0() }
    }

    /// Stops delivering: work still running finishes on its thread and its
    /// result is dropped.
    public func close() {
        wakeup?.close()
        wakeup = nil
        if readEnd >= 0 { Glibc.close(readEnd) }
        readEnd = -1
        finishedLock.sync {
            if writeEnd >= 0 { Glibc.close(writeEnd) }
            writeEnd = -1
            finished = []
        }
    }

    deinit {
        assert(readEnd < 0 && writeEnd < 0, "BackgroundWork not closed")
    }
}

/// Carries a value across threads where the hand-off itself is the
/// synchronisation (the lock and the pipe above).
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
