extension HTTPHeaders {
    /// Writes `name: value\r\n` for each field.
    public func serialize(into bytes: inout [UInt8]) {
        forEachRaw { name, value in
            bytes.append(contentsOf: name)
            bytes.append(ASCII.colon)
            bytes.append(ASCII.space)
            bytes.append(contentsOf: value)
            bytes.appendCRLF()
        }
    }
}
