import ClusterTesting
import Foundation

/// The blob server `BlobAPITests` talk to: one they start themselves, or one
/// already listening on a loopback port, named by the environment:
///
/// - `BLOB_API_PORT`: its port on 127.0.0.1 (a worker, a balancer, a front);
/// - `BLOB_API_STORE`: its store as this process sees it (the tests look for
///   leftovers there, and lay out a Soledad folder by hand);
/// - `BLOB_API_MAX_BODY`: its `--max-body`, in bytes.
///
/// All three or none: a target the tests cannot inspect would leave checks out.
struct BlobAPITarget {
    private enum Server {
        case own(TestProcess)
        case outside
    }

    private let server: Server
    let port: Int
    let store: String
    let maxBody: Int

    struct BadEnvironment: Error, CustomStringConvertible {
        let description: String
    }

    static func ownServer(maxBody: Int) throws -> BlobAPITarget {
        let store = NSTemporaryDirectory() + "blob-api-\(UUID().uuidString)"
        let process = try TestProcess("blob-server", ["--port", "0", "--store", store, "--max-body", "\(maxBody)"])
        return BlobAPITarget(server: .own(process), port: try process.waitForListeningPort(), store: store, maxBody: maxBody)
    }

    /// The outside target, nil when `BLOB_API_PORT` is not set.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> BlobAPITarget? {
        guard let portText = environment["BLOB_API_PORT"] else { return nil }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw BadEnvironment(description: "BLOB_API_PORT must be a port number, not '\(portText)'")
        }
        guard let store = environment["BLOB_API_STORE"], FileManager.default.fileExists(atPath: store) else {
            throw BadEnvironment(description: "BLOB_API_PORT needs BLOB_API_STORE, the target's store as seen from here")
        }
        guard let maxBodyText = environment["BLOB_API_MAX_BODY"], let maxBody = Int(maxBodyText), maxBody > 0 else {
            throw BadEnvironment(description: "BLOB_API_PORT needs BLOB_API_MAX_BODY, the target's --max-body in bytes")
        }
        return BlobAPITarget(server: .outside, port: port, store: store, maxBody: maxBody)
    }

    /// Stops and removes what `ownServer` made; an outside target is left as it is.
    func stop() {
        guard case .own(let process) = server else { return }
        process.stop()
        try? FileManager.default.removeItem(atPath: store)
    }
}
