import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-thread HTTP server for one test: answers every request 200 with
/// the same three bytes, so a GET never returns what was PUT.
final class LyingServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private var running = true
    private let thread: Thread

    init() throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = listener
        withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            _ = bind(fd, $0, length)
            _ = getsockname(fd, $0, &length)
        } }
        listen(listener, 16)
        port = Int(UInt16(bigEndian: address.sin_port))
        thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                LyingServer.serve(client)
            }
        }
        thread.start()
    }

    private static func serve(_ client: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var pending: [UInt8] = []
        let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc".utf8)
        while true {
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { break }
            pending += buffer[0..<count]
            // A request ends with its head's blank line, plus a body of Content-Length.
            while let end = pending.indices.dropLast(3).first(where: { pending[$0..<($0 + 4)] == [13, 10, 13, 10] }) {
                let head = String(decoding: pending[0..<end], as: UTF8.self).lowercased()
                let length = head.components(separatedBy: "content-length: ").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
                guard pending.count >= end + 4 + length else { break }
                pending.removeFirst(end + 4 + length)
                _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }
        close(client)
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
