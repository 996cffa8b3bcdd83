import EventCore
import HTTPServerKit
import Logging

/// A listing streamed to its client (length unknown: chunked, or until
/// close to HTTP/1.0): each chunk is made off the loop by `ListingWork`
/// and handed back through `BackgroundWork`, one chunk ahead of what the
/// connection has taken, and the next only once the connection asks for it
/// (its output has drained below its window), so a slow reader makes the
/// walk wait instead of buffer. The slot is given back as soon as the walk
/// is over, failed, or the client left (then at the end of the step in
/// flight, which stops early). Used on the loop.
final class ListingBody: ResponseBodyProducer, @unchecked Sendable {
    private enum Phase {
        /// The next chunk is here; `last`: nothing follows it.
        case ready([UInt8], last: Bool)
        /// A step is running; the connection waits on `resume` if it asked.
        case making(resume: (() -> Void)?)
        case complete
        case failed
        case discarded
    }

    private var phase: Phase
    private let work: ListingWork
    private let background: BackgroundWork
    private let slot: ListingSlot
    private let logger: Logger
    private let what: String
    let length: Int? = nil

    init(first: ListingWork.Chunk, work: ListingWork, background: BackgroundWork, slot: ListingSlot,
         logger: Logger, what: String) {
        phase = .ready(first.bytes, last: first.last)
        self.work = work
        self.background = background
        self.slot = slot
        self.logger = logger
        self.what = what
        if first.last { slot.release() }
    }

    func next(resume: @escaping () -> Void) -> ProducedPiece {
        switch phase {
        case .ready(let bytes, let last):
            if last { phase = .complete } else { makeNext() }
            return .piece(.bytes(bytes))
        case .making:
            phase = .making(resume: resume)
            return .waiting
        case .complete:
            return .end
        case .failed, .discarded:
            return .failed
        }
    }

    private func makeNext() {
        phase = .making(resume: nil)
        let work = self.work
        background.run({ () -> Result<ListingWork.Chunk, StoreError> in
            do throws(StoreError) { return .success(try work.step()) } catch { return .failure(error) }
        }, then: { [self] result in made(result) })
    }

    private func made(_ result: Result<ListingWork.Chunk, StoreError>) {
        guard case .making(let resume) = phase else {
            // The client left while this step ran: the walk is ours again.
            work.close()
            slot.release()
            return
        }
        switch result {
        case .success(let chunk):
            phase = .ready(chunk.bytes, last: chunk.last)
            if chunk.last { slot.release() }
        case .failure(let error):
            // The 200 is long gone: the connection closes without the last
            // chunk, which tells the client the list is incomplete.
            logger.error("listing \(what) failed midway, the answer is cut short: \(error.logDescription)")
            work.close()
            slot.release()
            phase = .failed
        }
        resume?()
    }

    func discard() {
        switch phase {
        case .making:
            phase = .discarded
            work.cancel.cancel()  // closed and released when the step returns
        case .ready, .complete, .failed:
            phase = .discarded
            work.close()
            slot.release()
        case .discarded:
            break
        }
    }
}
