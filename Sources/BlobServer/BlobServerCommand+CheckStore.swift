import ArgumentParser
import BlobKit
import CommandLineSupport

/// `blob-server --check-store DIR [--repair]`: the store check as an
/// operator runs it, printing the report and exiting with its verdict.
extension BlobServerCommand {
    /// Exit status of a check that found something it did not repair.
    static let notClean = ExitCode(1)

    static func check(_ root: String, repair: Bool, temporaryAge: Double) throws {
        let report: StoreCheckReport
        do throws(StoreError) {
            report = try StoreCheck(root: root, repair: repair, temporaryAge: temporaryAge).run()
        } catch {
            Console.line("store check \(root): cannot read the store: \(error.logDescription)")
            throw ExitCode.bootFailure
        }
        report.lines.forEach(Console.line)
        if !report.isClean { throw notClean }
    }
}
