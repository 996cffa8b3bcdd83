import BlobProtocol
import EventCore
import HTTP1
import HTTPServerKit

/// `/blobs/{user}/{id}`: GET (whole, ranges, 304, flags), PUT, POST flags, DELETE.
extension BlobService {
    func blob(method: HTTPMethod, names: UserNamespace, id: BlobName, query: QueryParameters,
              request: RequestHead) throws -> HandlerDecision {
        switch method {
        case .GET:
            if query.flag("only_flags") {
                let flags = try store.flags(user: names.user, namespace: names.namespace, id: id)
                return .respond(.json(200, FlagList.encode(flags)))
            }
            return .respond(try get(names: names, id: id, request: request))
        case .PUT:
            let writer = try store.beginWrite(user: names.user, namespace: names.namespace, id: id, key: try Self.idempotencyKey(request))
            return .readBody(BlobUploadSink(writer: writer, maxBody: maxBody, report: report))
        case .POST:
            return .readBody(CollectingSink(limit: 64 * 1024) { [store, report] body in
                do {
                    let flags = try FlagList.parse(body)
                    try store.setFlags(flags, user: names.user, namespace: names.namespace, id: id)
                    return HTTPResponse(status: 200)
                } catch {
                    return BlobService.response(for: error, report: report, otherwise: .text(400, "body must be a JSON list of flags"))
                }
            })
        case .DELETE:
            try store.delete(user: names.user, namespace: names.namespace, id: id, key: try Self.idempotencyKey(request))
            return .respond(HTTPResponse(status: 200))
        default:
            return .respond(.text(405, "method not allowed"))
        }
    }

    /// The blob's bytes from its file, with Tag and ETag; 206/416 for a
    /// Range, 304 when If-None-Match matches.
    private func get(names: UserNamespace, id: BlobName, request: RequestHead) throws -> HTTPResponse {
        let blob = try store.open(user: names.user, namespace: names.namespace, id: id)
        var headers = HTTPHeaders()
        headers.append(name: "ETag", valueAtMost: OpenBlob.etagBound) { blob.writeETag(to: &$0) }
        if let condition = request.headers["if-none-match"], Self.matches(condition, etag: blob.etag) {
            blob.close()
            return HTTPResponse(status: 304, headers: headers)
        }
        headers.append(name: "Content-Type", constant: "application/octet-stream")
        headers.append(name: "Accept-Ranges", constant: "bytes")
        guard let rangeHeader = request.headers["range"] else {
            if let small = try blob.readAll(limit: Self.inlineLimit) {
                blob.close()
                headers.append(name: "Tag", valueAtMost: Base64URL.encodedLength(16)) { writer in
                    small.suffix(16).withUnsafeBufferPointer { Base64URL.encode($0, to: &writer) }
                }
                return HTTPResponse(status: 200, headers: headers, body: .bytes(small))
            }
            headers.append(name: "Tag", value: try blob.tag())
            let size = blob.size
            return HTTPResponse(status: 200, headers: headers, body: .file(descriptor: blob.takeDescriptor(), offset: 0, length: size))
        }
        headers.append(name: "Tag", value: try blob.tag())
        switch ByteRange.parse(rangeHeader, size: blob.size) {
        case .full:
            let size = blob.size
            return HTTPResponse(status: 200, headers: headers, body: .file(descriptor: blob.takeDescriptor(), offset: 0, length: size))
        case .partial(let start, let end):
            headers.append(name: "Content-Range", value: "bytes \(start)-\(end)/\(blob.size)")
            return HTTPResponse(status: 206, headers: headers,
                                body: .file(descriptor: blob.takeDescriptor(), offset: start, length: end - start + 1))
        case .unsatisfiable:
            let size = blob.size
            blob.close()
            var response = HTTPResponse.text(416, "range not satisfiable for a blob of \(size) bytes")
            response.headers.append(name: "Content-Range", value: "bytes */\(size)")
            return response
        }
    }

    /// The request's `Idempotency-Key`, if any; a malformed one is a 400.
    static func idempotencyKey(_ request: RequestHead) throws -> IdempotencyKey? {
        guard let header = request.headers["idempotency-key"] else { return nil }
        guard let key = IdempotencyKey(header: Substring(header)) else { throw RequestError.badHeader("Idempotency-Key must be 1 to 255 visible ASCII characters") }
        return key
    }

    /// Blobs up to this size are read and sent with their head in one write;
    /// larger ones go out with sendfile.
    static let inlineLimit = 64 * 1024

    /// If-None-Match: `*`, or a list of (possibly weak) entity tags.
    static func matches(_ condition: String, etag: String) -> Bool {
        for candidate in condition.split(separator: ",") {
            var tag = candidate.trimmingHTTPWhitespace()
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag == etag { return true }
        }
        return false
    }
}
