import BlobProtocol
import EventCore
import HTTPServerKit
import Logging

/// The body of a stream upload, taken apart as it arrives: a first line
/// holding a JSON list of `[id, size]` pairs, then the blobs' bytes back to
/// back, each written to the store as a PUT would.
final class StreamUploadSink: RequestBodySink {
    private let store: BlobStore
    private let names: UserNamespace
    private let maxBody: Int
    private let report: FailureReport
    private var manifestLine: [UInt8] = []
    /// The manifest once its line is complete, and how many of its
    /// entries were started: the next one is `manifest.entries[started]`.
    private var manifest: StreamManifest?
    private var started = 0
    private var current: (writer: BlobWriter, remaining: Int)?
    private static let maxManifest = 1024 * 1024

    init(store: BlobStore, names: UserNamespace, maxBody: Int, report: FailureReport) {
        self.store = store
        self.report = report
        self.names = names
        self.maxBody = maxBody
    }

    func receive(_ bytes: UnsafeRawBufferPointer) -> HTTPResponse? {
        var rest = bytes[...]
        do {
            if manifest == nil {
                guard let newline = rest.firstIndex(of: UInt8(ascii: "\n")) else {
                    manifestLine.append(contentsOf: rest)
                    return manifestLine.count > Self.maxManifest ? .text(400, "manifest line too long") : nil
                }
                manifestLine.append(contentsOf: rest[..<newline])
                manifest = try StreamManifest(parsing: manifestLine, maxBody: maxBody)
                manifestLine = []
                rest = rest[(newline + 1)...]
            }
            while !rest.isEmpty {
                if current == nil { try startNext() }
                guard let (writer, remaining) = current else { return .text(400, "more bytes than the manifest announced") }
                let take = min(remaining, rest.count)
                try writer.write(UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
                rest = rest.dropFirst(take)
                current = (writer, remaining - take)
                if remaining - take == 0 { try commitCurrent() }
            }
            return nil
        } catch {
            abort()
            return BlobService.response(for: error, report: report, otherwise: .text(400, "malformed stream upload"))
        }
    }

    func finish() -> HTTPResponse {
        do {
            guard manifest != nil else { return .text(400, "stream upload without a manifest line") }
            // Empty blobs at the end have no bytes to trigger them.
            while current != nil || hasUnstarted {
                if current == nil { try startNext() }
                guard current?.remaining == 0 else {
                    abort()
                    return .text(400, "body ended before the blobs the manifest announced")
                }
                try commitCurrent()
            }
            return HTTPResponse(status: 200)
        } catch {
            abort()
            return BlobService.response(for: error, report: report, otherwise: .text(400, "malformed stream upload"))
        }
    }

    func abort() {
        current?.writer.abort()
        current = nil
        started = manifest?.entries.count ?? 0
    }

    private var hasUnstarted: Bool { started < (manifest?.entries.count ?? 0) }

    private func startNext() throws {
        guard let manifest, started < manifest.entries.count else { return }
        let next = manifest.entries[started]
        started += 1
        let writer = try store.beginWrite(user: names.user, namespace: names.namespace, id: next.id)
        current = (writer, next.size)
    }

    private func commitCurrent() throws {
        guard let (writer, _) = current else { return }
        current = nil
        try writer.commit()
    }
}
