/// Bytes a client sent that do not have the form the Blobs API wants: a
/// name, a flags list, a stream manifest. Always a 400, with `reason` as
/// its one-line body; the pure parsers of this module throw nothing else.
public struct WireFormatError: Error, Equatable, Sendable {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }
}
