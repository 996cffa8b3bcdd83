import EventCore
import Logging

/// Runs a `TemporaryFileSweep` at start and then every `sweep.interval`,
/// each run on a background thread (a walk of the whole store must not
/// stall the loop), the next armed only once the last has finished, so
/// runs never overlap. Owns its timer: `close()` stops it.
public final class TemporaryFileSweeper {
    private let sweep: TemporaryFileSweep
    private let background: BackgroundWork
    private let logger: Logger
    private var timer: LoopEvent?

    public init(sweep: TemporaryFileSweep, base: EventBase, background: BackgroundWork, logger: Logger) {
        self.sweep = sweep
        self.background = background
        self.logger = logger
        timer = LoopEvent.timer(base: base, repeating: false) { [unowned self] in self.start() }
        timer?.add(after: 0)
    }

    private func start() {
        let sweep = self.sweep
        background.run({ sweep.run() }) { [weak self] result in
            guard let self, let timer = self.timer else { return }
            switch result {
            case .success(let removed) where removed > 0:
                self.logger.info("removed \(removed) stale temporary files (older than \(sweep.maxAge) s, writer gone)")
            case .success: self.logger.debug("temporary file sweep done, nothing to remove")
            case .failure(let error): self.logger.error("temporary file sweep failed: \(error.logDescription)")
            }
            timer.add(after: sweep.interval)
        }
    }

    public func close() {
        timer?.close()
        timer = nil
    }

    deinit {
        assert(timer == nil, "TemporaryFileSweeper not closed")
    }
}
