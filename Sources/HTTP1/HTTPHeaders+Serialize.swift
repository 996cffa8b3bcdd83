extension HTTPHeaders {
    /// Writes `name: value\r\n` for each field.
    public func serialize(into bytes: inout [UInt8]) {
        bytes.append(atMost: serializedBound) { write(to: &$0) }
    }

    /// The most bytes `write(to:)` writes.
    var serializedBound: Int {
        storage.count + 4 * spans.count
    }

    func write(to writer: inout ByteWriter) {
        forEachRaw { name, value in
            writer.put(name)
            writer.put(ASCII.colon)
            writer.put(ASCII.space)
            writer.put(value)
            writer.putCRLF()
        }
    }
}
