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
            } catch let error as StoreError {
                return BlobService.response(for: error)
            } catch {
                return .text(500, "listing failed: \(error)")
            }
        }
        guard let background else { return .respond(walk()) }
        return .respondLater { complete in background.run(walk, then: complete) }
    }
}

/// Hand-written JSON for the few shapes this API sends: lists of names
/// that are already known to need no escaping beyond the basics.
enum JSONText {
    static func stringList(_ items: [String]) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(items.count * 40 + 2)
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
            appendString(item, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                bytes.append(contentsOf: Array(String(format: byte).utf8))
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

private extension String {
    /// `\u00XX` for a control byte.
    init(format byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = "\\u00" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
    }
}
