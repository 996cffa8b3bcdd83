import Foundation

/// Runs a tool of the machine (python3, gzip) to its end: the tests that
/// check our answers with a client we did not write.
enum ToolRun {
    /// The tool's exit status and what it printed on standard output
    /// (standard error goes to the test's log).
    static func output(of tool: String, _ arguments: [String]) throws -> (status: Int32, output: [UInt8]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, Array(output))
    }
}
