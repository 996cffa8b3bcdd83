import Foundation
import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP connection to 127.0.0.1 with timeouts: tests write raw
/// bytes with it and read answers through the project's response parser.
public final class TestConnection: @unchecked Sendable {
    public private(set) var fd: Int32
    private var buffer: [UInt8] = []
    private var parser = ResponseParser()

    /// `receiveBuffer`: a small SO_RCVBUF makes a slow reader (the kernel
    /// then holds little of the answer for it).
    public init(port: Int, timeout: Double = 10, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestConnectionError.system("socket", errno) }
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = loopbackAddress(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            fd = -1
            throw TestConnectionError.system("connect", code)
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw TestConnectionError.system("send", errno) }
            offset += written
        }
    }

    /// Half-closes: the server sees EOF after what was sent.
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads one whole response (pass `toHead` for a HEAD request).
    public func readResponse(toHead: Bool = false) throws -> TestResponse {
        parser.expectResponse(toHead: toHead)
        var head: ResponseHead?
        var body: [UInt8] = []
        while true {
            let (event, consumed) = buffer.withUnsafeBytes { parser.next($0) }
            if case .body(let bytes) = event { body.append(contentsOf: bytes) }
            buffer.removeFirst(consumed)
            switch event {
            case .head(let parsed):
                if parsed.status >= 200 { head = parsed }
            case .end:
                guard let head else { continue }
                return TestResponse(status: head.status, headers: head.headers, body: body, keepAlive: head.keepAlive)
            case .error(let error):
                throw TestConnectionError.badResponse(error)
            case .needMore:
                guard try fill() else {
                    if let final = parser.finish(), case .end = final, let head {
                        return TestResponse(status: head.status, headers: head.headers, body: body, keepAlive: false)
                    }
                    throw TestConnectionError.closed
                }
            case .body:
                continue
            }
        }
    }

    /// One raw byte, bypassing the parser (a slow reader's sip); nil at
    /// EOF, on an error or when the timeout passes first.
    public func readByte() -> UInt8? {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 1 ? byte : nil
    }

    /// True if the server closed the connection (EOF) within the timeout.
    public func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        let result = recv(fd, &byte, 1, 0)
        return result == 0 || (result < 0 && errno == ECONNRESET)
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { return false }
        if count < 0 {
            if errno == ECONNRESET { return false }
            throw TestConnectionError.system("recv", errno)
        }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    public func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    deinit { close() }
}

public enum TestConnectionError: Error {
    case system(String, Int32)
    case badResponse(HTTPParseError)
    case closed
}
