import BlobProtocol
import EventCore
import HTTP1
import HTTPServerKit

/// `GET /blobs/{user}/`: the live ids of one namespace, filtered, ordered,
/// tombstoned ones, or just their count.
extension BlobService {
    func list(_ names: UserNamespace, query: QueryParameters, request: RequestHead) throws -> HandlerDecision {
        let order: ListOrder
        switch query["order_by"] {
        case nil: order = .none
        case "date", "+date", " date": order = .dateAscending  // a raw '+' arrives decoded as a space
        case "-date": order = .dateDescending
        case let other?: throw RequestError.badQuery("unknown order_by '\(other)': use date, +date or -date")
        }
        let filterFlag = query["filter_flag"]
        let deleted = query.flag("deleted")
        let onlyCount = query.flag("only_count")
        let gzip = Gzip.isAccepted(by: request.headers["accept-encoding"])
        let store = self.store
        let logger = self.logger
        let walk: @Sendable () -> HTTPResponse = {
            do {
                if onlyCount {
                    let count = filterFlag == nil && !deleted
                        ? try store.count(user: names.user, namespace: names.namespace)
                        : try store.list(user: names.user, namespace: names.namespace, filterFlag: filterFlag,
                                         order: .none, deleted: deleted).count
                    return .json(200, Array("{\"count\": \(count)}".utf8))
                }
                let ids = try store.list(user: names.user, namespace: names.namespace, filterFlag: filterFlag,
                                         order: order, deleted: deleted)
                return BlobService.json(JSONText.stringList(ids), gzip: gzip)
            } catch {
                return BlobService.response(for: error, logger: logger, otherwise: .text(500, "listing failed"))
            }
        }
        guard let background else { return .respond(walk()) }
        return .respondLater { complete in background.run(walk, then: complete) }
    }
}
