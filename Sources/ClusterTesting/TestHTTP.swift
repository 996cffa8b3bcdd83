import Foundation
import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// One-shot requests for tests that do not care about the connection.
public enum TestHTTP {
    public static func request(
        port: Int, method: String, path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) throws -> TestResponse {
        let connection = try TestConnection(port: port)
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        try connection.send(Array(text.utf8) + (body ?? []))
        return try connection.readResponse(toHead: method == "HEAD")
    }
}
