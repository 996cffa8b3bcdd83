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
    private let logger: Logger
    private var manifestLine: [UInt8] = []
    private var pending: [(id: BlobName, size: Int)]?
    private var current: (writer: BlobWriter, remaining: Int)?
    private static let maxManifest = 1024 * 1024

    init(store: BlobStore, names: UserNamespace, maxBody: Int, logger: Logger) {
        self.store = store
        self.logger = logger
        self.names = names
        self.maxBody = maxBody
    }

    func receive(_ bytes: UnsafeRawBufferPointer) -> HTTPResponse? {
        var rest = bytes[...]
        do {
            if pending == nil {
                guard let newline = rest.firstIndex(of: UInt8(ascii: "\n")) else {
                    manifestLine.append(contentsOf: rest)
                    return manifestLine.count > Self.maxManifest ? .text(400, "manifest line too long") : nil
                }
                manifestLine.append(contentsOf: rest[..<newline])
                pending = try parseManifest(manifestLine)
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
        } catch let error as StoreError {
            abort()
            return BlobService.response(for: error, logger: logger)
        } catch let error as RequestError {
            abort()
            return error.response
        } catch {
            abort()
            return .text(400, "malformed stream upload")
        }
    }

    func finish() -> HTTPResponse {
        do {
            guard pending != nil else { return .text(400, "stream upload without a manifest line") }
            // Empty blobs at the end have no bytes to trigger them.
            while current != nil || !(pending?.isEmpty ?? true) {
                if current == nil { try startNext() }
                guard current?.remaining == 0 else {
                    abort()
                    return .text(400, "body ended before the blobs the manifest announced")
                }
                try commitCurrent()
            }
            return HTTPResponse(status: 200)
        } catch let error as StoreError {
            abort()
            return BlobService.response(for: error, logger: logger)
        } catch {
            abort()
            return .text(400, "malformed stream upload")
        }
    }

    func abort() {
        current?.writer.abort()
        current = nil
        pending = []
    }

    private func startNext() throws {
        guard var queue = pending, !queue.isEmpty else { return }
        let next = queue.removeFirst()
        pending = queue
        let writer = try store.beginWrite(user: names.user, namespace: names.namespace, id: next.id)
        current = (writer, next.size)
    }

    private func commitCurrent() throws {
        guard let (writer, _) = current else { return }
        current = nil
        try writer.commit()
    }

    private func parseManifest(_ line: [UInt8]) throws -> [(id: BlobName, size: Int)] {
        guard case .array(let items) = try MiniJSON.parse(line) else {
            throw RequestError.badBody("manifest must be a JSON list of [id, size] pairs")
        }
        return try items.map { item in
            guard case .array(let pair) = item, pair.count == 2, case .string(let id) = pair[0],
                  case .number(let size) = pair[1], size >= 0, size <= maxBody else {
                throw RequestError.badBody("manifest must be a JSON list of [id, size] pairs")
            }
            return (try BlobName(validating: id, kind: .id), size)
        }
    }
}
