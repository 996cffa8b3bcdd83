/// A start-up failure with a one-line reason.
struct BootError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
