import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One of the product's real binaries started for a test, its output sent
/// to a file; stopped by pid (TERM, then KILL) so no test leaves it behind.
public final class TestProcess {
    public let process: Process
    public let logURL: URL
    public var pid: Int32 { process.processIdentifier }

    /// The folder holding the built executables: the test bundle's own.
    public static var binDirectory: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent()
    }

    /// Starts `binary` (e.g. `blob-server`) with `arguments`; `stdin`, if
    /// given, becomes its standard input (a control channel), else /dev/null;
    /// `environment` is added to the test's own.
    public init(_ binary: String, _ arguments: [String], stdin: Pipe? = nil, environment: [String: String] = [:]) throws {
        process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.executableURL = TestProcess.binDirectory.appendingPathComponent(binary)
        process.arguments = arguments
        logURL = TestLogs.directory.appendingPathComponent("\(binary)-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = stdin ?? FileHandle.nullDevice
        try process.run()
        try? log.close()
    }

    /// Everything the process printed so far.
    public var output: String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    /// Waits until a line contains `marker`; returns that line.
    @discardableResult
    public func waitForLine(containing marker: String, timeout: Double = 10) throws -> String {
        try waitForLine(described: marker, timeout: timeout) { $0.contains(marker) }
    }

    /// Waits until a line satisfies `matches`; returns that line.
    @discardableResult
    public func waitForLine(described marker: String, timeout: Double = 10, where matches: (Substring) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = output.split(separator: "\n").first(where: matches) { return String(line) }
            if !process.isRunning {
                throw TestProcessError.exited(status: process.terminationStatus, output: output)
            }
            usleep(20_000)
        }
        throw TestProcessError.timedOut(marker: marker, output: output)
    }

    /// Waits for the `listening on HOST:PORT` line and returns the port.
    public func waitForListeningPort(timeout: Double = 10) throws -> Int {
        let line = try waitForLine(containing: "listening on ", timeout: timeout)
        let after = line.components(separatedBy: "listening on ")[1]
        let address = after.split(separator: " ")[0]
        guard let port = Int(address.split(separator: ":").last ?? "") else {
            throw TestProcessError.badReadyLine(line)
        }
        return port
    }

    /// Waits for exit up to `timeout` seconds; returns the exit status or nil.
    public func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    public func signal(_ number: Int32) {
        if process.isRunning { kill(pid, number) }
    }

    /// TERM, up to `grace` seconds, then KILL; always reaped.
    public func stop(grace: Double = 5) {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        if waitForExit(timeout: grace) == nil {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Open descriptors of the process, from /proc.
    public var openDescriptorCount: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// Resident memory in KiB, from /proc/PID/status.
    public var residentKiB: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return -1 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }

    deinit {
        stop(grace: 1)
        try? FileManager.default.removeItem(at: logURL)
    }
}

/// The folder every `TestProcess` of this test run writes its log into,
/// removed when the run exits. XCTest keeps every test case, and so its
/// processes, alive until the end of the run, and then exits without
/// running their deinits: alone, those would leave every log behind.
enum TestLogs {
    static let directory: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("blob-test-logs-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestLogs.directory) }
        return folder
    }()
}

public enum TestProcessError: Error, CustomStringConvertible {
    case exited(status: Int32, output: String)
    case timedOut(marker: String, output: String)
    case badReadyLine(String)

    public var description: String {
        switch self {
        case .exited(let status, let output): return "process exited with \(status):\n\(output)"
        case .timedOut(let marker, let output): return "no line with '\(marker)' in time:\n\(output)"
        case .badReadyLine(let line): return "cannot read a port from: \(line)"
        }
    }
}
