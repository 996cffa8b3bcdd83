import BlobProtocol
import EventCore
import HTTP1
import HTTPServerKit

/// `POST /stream/{user}?direction=download|upload`: many blobs in one body.
extension BlobService {
    func stream(names: UserNamespace, query: QueryParameters, request: RequestHead) throws -> HandlerDecision {
        switch query["direction"] {
        case "download":
            return .readBody(CollectingSink(limit: Self.maxDownloadRequest) { [self] body in
                do {
                    return try download(names: names, idsJSON: body)
                } catch {
                    return BlobService.response(for: error, report: report, otherwise: .text(400, "body must be a JSON list of blob ids"))
                }
            })
        case "upload":
            return .readBody(StreamUploadSink(store: store, names: names, maxBody: maxBody, report: report))
        default:
            throw RequestError.badQuery("direction must be download or upload")
        }
    }

    /// The body of a download: `maxIDs` ids of the longest kind, quoted
    /// and separated, fit; more is 413.
    static let maxDownloadRequest = StreamDownloadBody.maxIDs * (BlobName.maxLength + 4) + 64

    /// The ids' blobs back to back (`StreamDownloadBody`), produced as
    /// the client reads; 400 beyond `StreamDownloadBody.maxIDs` ids.
    private func download(names: UserNamespace, idsJSON: [UInt8]) throws -> HTTPResponse {
        let requested = try FlagList.parse(idsJSON)
        guard requested.count <= StreamDownloadBody.maxIDs else {
            throw RequestError.badBody("at most \(StreamDownloadBody.maxIDs) ids per stream download")
        }
        let ids = try requested.map { try BlobName(validating: $0, kind: .id) }
        let body = try StreamDownloadBody(store: store, names: names, ids: ids, logger: logger)
        var headers = HTTPHeaders()
        headers.append(name: "Content-Type", value: "application/octet-stream")
        return HTTPResponse(status: 200, headers: headers, body: .produced(body))
    }
}
