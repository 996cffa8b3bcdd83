import EventCore
import HTTP1
import HTTPServerKit

/// `POST /stream/{user}?direction=download|upload`: many blobs in one body.
extension BlobService {
    func stream(names: UserNamespace, query: QueryParameters, request: RequestHead) throws -> HandlerDecision {
        switch query["direction"] {
        case "download":
            return .readBody(CollectingSink(limit: 4 * 1024 * 1024) { [self] body in
                do {
                    return try download(names: names, idsJSON: body)
                } catch let error as StoreError {
                    return BlobService.response(for: error, logger: logger)
                } catch {
                    return .text(400, "body must be a JSON list of blob ids")
                }
            })
        case "upload":
            return .readBody(StreamUploadSink(store: store, names: names, maxBody: maxBody, logger: logger))
        default:
            throw RequestError.badQuery("direction must be download or upload")
        }
    }

    /// For each blob: its size as 8 hex digits, its 24-character tag, a
    /// space, then its bytes, sent from the files.
    private func download(names: UserNamespace, idsJSON: [UInt8]) throws -> HTTPResponse {
        let ids = try FlagList.parse(idsJSON).map { try BlobName(validating: $0, kind: .id) }
        var opened: [OpenBlob] = []
        do {
            for id in ids { opened.append(try store.open(user: names.user, namespace: names.namespace, id: id)) }
            var parts: [ResponseBody] = []
            for blob in opened {
                var prefix = Array(Self.hex8(blob.size).utf8)
                prefix.append(contentsOf: try blob.tag().utf8)
                prefix.append(UInt8(ascii: " "))
                parts.append(.bytes(prefix))
                parts.append(.file(descriptor: blob.takeDescriptor(), offset: 0, length: blob.size))
            }
            var headers = HTTPHeaders()
            headers.append(name: "Content-Type", value: "application/octet-stream")
            return HTTPResponse(status: 200, headers: headers, body: .parts(parts))
        } catch {
            opened.forEach { $0.close() }
            throw error
        }
    }

    static func hex8(_ value: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
