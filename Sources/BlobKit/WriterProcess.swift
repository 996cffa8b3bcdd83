#if canImport(Glibc)
import Glibc
#endif

/// The process that wrote a temporary file, as its name tells: `{pid}-{rand}`
/// or `{pid}-{rand}-{n}` after the name's last dot (`BlobStore.temporaryName`).
/// Both the sweep and the store check ask whether it may still be writing.
public struct WriterProcess: Equatable, Sendable {
    public let pid: Int32
    public let random: UInt32

    /// Parses a temporary name's tag (the text after its last dot).
    public init?(tag: Substring) {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let pid = Int32(parts[0]), pid > 0, let random = UInt32(parts[1]) else { return nil }
        if parts.count == 3 && Int(parts[2]) == nil { return nil }
        self.pid = pid
        self.random = random
    }

    /// A pid that answers signal 0 (EPERM: it exists, owned by another
    /// user). On this host only: a pid says nothing about other hosts.
    public static func isRunningOnThisHost(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }
}
