import BlobProtocol
import EventCore
import HTTP1
import HTTPServerKit

/// `GET /blobs/{user}/`: the live ids of one namespace, filtered, ordered,
/// tombstoned ones, or just their count. At most `listings.maxRunning` run
/// at once (others wait, up to `maxWaiting`, else 503); each walks off the
/// loop, a chunk at a time (ListingWork), and a listing longer than one
/// chunk is streamed (ListingBody) rather than built whole.
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
        let cursor: @Sendable () throws(StoreError) -> ListingWork = { [store] () throws(StoreError) -> ListingWork in
            let cursor = try store.listingCursor(user: names.user, namespace: names.namespace, filterFlag: filterFlag,
                                                 deleted: deleted, needTimes: !onlyCount && order != .none)
            return ListingWork(cursor: cursor, mode: onlyCount ? .count : .list(order), gzip: gzip)
        }
        guard let background else { return .respond(listInline(cursor, gzip: gzip)) }
        guard listings.hasRoom else {
            var busy = HTTPResponse.text(503, "too many listings at once on this worker; retry shortly")
            busy.headers.append(name: "Retry-After", value: "1")
            return .respond(busy)
        }
        let what = "\(names.user.value)/\(names.namespace.value)"
        let logger = self.logger, report = self.report
        return .respondLater { [listings] complete in
            listings.enter { slot in
                background.run({ () -> Result<(ListingWork, ListingWork.Chunk), StoreError> in
                    let work: ListingWork
                    do throws(StoreError) { work = try cursor() } catch { return .failure(error) }
                    do throws(StoreError) { return .success((work, try work.step())) } catch {
                        work.close()
                        return .failure(error)
                    }
                }, then: { result in
                    switch result {
                    case .failure(let error):
                        slot.release()
                        complete(BlobService.response(for: error, report: report, otherwise: .text(500, "listing failed")))
                    case .success(let (work, first)):
                        if first.last && !first.compressed {
                            slot.release()
                            return complete(onlyCount ? .json(200, first.bytes) : BlobService.json(first.bytes, gzip: gzip))
                        }
                        let body = ListingBody(first: first, work: work, background: background, slot: slot,
                                               logger: logger, what: what)
                        complete(BlobService.streamedJSON(body, compressed: first.compressed))
                    }
                })
            }
        }
    }

    /// A listing's first chunk was not all of it: the rest streams.
    private static func streamedJSON(_ body: ListingBody, compressed: Bool) -> HTTPResponse {
        var response = HTTPResponse(status: 200, body: .produced(body))
        response.headers.append(name: "Content-Type", value: "application/json")
        response.headers.append(name: "Vary", value: "Accept-Encoding")
        if compressed { response.headers.append(name: "Content-Encoding", value: "gzip") }
        return response
    }

    /// Without a background thread (an embedding with no loop to spare):
    /// every chunk at once, on the caller's thread.
    private func listInline(_ cursor: () throws(StoreError) -> ListingWork, gzip: Bool) -> HTTPResponse {
        do {
            let work = try cursor()
            defer { work.close() }
            var bytes: [UInt8] = []
            var compressed = false
            while true {
                let chunk = try work.step()
                bytes.append(contentsOf: chunk.bytes)
                compressed = compressed || chunk.compressed
                if chunk.last { break }
            }
            guard compressed else { return bytes.first == UInt8(ascii: "{") ? .json(200, bytes) : BlobService.json(bytes, gzip: gzip) }
            var response = BlobService.json(bytes, gzip: false)
            response.headers.append(name: "Content-Encoding", value: "gzip")
            return response
        } catch {
            return BlobService.response(for: error, report: report, otherwise: .text(500, "listing failed"))
        }
    }
}
