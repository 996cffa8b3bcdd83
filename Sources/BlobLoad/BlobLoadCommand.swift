import ArgumentParser
import CommandLineSupport
import EventCore
import LoadKit
#if canImport(Glibc)
import Glibc
#endif

/// `blob-load`: runs one of the study's actions against a server and reports
/// throughput, latency percentiles and statuses (text, or JSON for scripts).
@main
struct BlobLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-load",
        abstract: "Load a blob server with one of the study's actions and report what happened.",
        discussion: """
            Actions: baseline = GET /; list = GET /blobs/USER/; count = GET /blobs/USER/?only_count=1; put = PUT of a new blob; get = PUT then GET of it (the bytes are checked); flag = PUT then POST ["PROCESSING"]; delete = PUT then DELETE.

            --amount counts actions, so get, flag and delete make two requests each. Every blob id is new: a run prefix and a counter, or with --ids uuid random 32-digit hex UUIDs as Soledad's clients make, which spread over the store's prefix directories. --namespace sends every request to that namespace. --clean-up ends each put, get and flag action with a DELETE of its blob (reported as DELETE cleanup), so the run leaves the store's size as it was. --duration starts no action after that long (the report's "actions" says how many ran). Connections are kept alive unless --new-connection-per-request (as ab does). Only 200 counts as success. Exits 0 when the run happened, whatever the server answered.
            """)

    @Option(help: "The action to repeat (see above).")
    var action: LoadAction

    @Option(name: [.customShort("n"), .long], help: "Number of actions.")
    var amount: Int = 1000

    @Option(name: [.customShort("c"), .long], help: "Actions in flight at once (one connection each).")
    var concurrency: Int = 10

    @Option(help: "Blob size (e.g. 10KiB).")
    var size: ByteSize = "10KiB"

    @Flag(help: "Open a new connection for every request (Connection: close), as ab does.")
    var newConnectionPerRequest = false

    @Option(help: "The server: http://HOST[:PORT] with an IPv4 host or localhost.")
    var url: String = "http://127.0.0.1:8000"

    @Option(help: "The user whose blobs are written.")
    var user: String = "blobload"

    @Option(help: "Longest wait for one request (e.g. 10s).")
    var timeout: TimeSpan = "10s"

    @Option(help: "Blob ids: counter (a run prefix and a counter) or uuid (random hex UUIDs, as Soledad's).")
    var ids: IDStyle = .counter

    @Option(help: "The namespace of every request (default: none sent, the server's 'default').")
    var namespace: String?

    @Flag(help: "End each put, get and flag action with a DELETE of its blob, so the store keeps its size.")
    var cleanUp = false

    @Option(help: "Start no action after this long (e.g. 30s; default: run all --amount).")
    var duration: TimeSpan?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard (0...1_000_000_000).contains(amount) else { throw ValidationError("--amount must be 0...1000000000") }
        guard (1...10_000).contains(concurrency) else { throw ValidationError("--concurrency must be 1...10000") }
        guard size.bytes <= 1 << 30 else { throw ValidationError("--size must be at most 1GiB") }
        guard LoadTarget(url: url) != nil else { throw ValidationError("--url must be http://HOST[:PORT] with an IPv4 host: \(url)") }
        guard Self.isName(user) else { throw ValidationError("--user must match [A-Za-z0-9_-]+") }
        if let namespace, !Self.isName(namespace) { throw ValidationError("--namespace must be 1 to 128 of [A-Za-z0-9_-]") }
        if let duration, duration.seconds <= 0 { throw ValidationError("--duration must be more than 0") }
        guard timeout.seconds > 0 else { throw ValidationError("--timeout must be more than 0") }
    }

    func run() throws {
        Resources.raiseDescriptorLimit()
        signal(SIGPIPE, SIG_IGN)
        let plan = LoadPlan(
            action: action, amount: amount, concurrency: concurrency,
            size: size.bytes, newConnectionPerRequest: newConnectionPerRequest,
            target: LoadTarget(url: url)!, user: user, timeout: timeout.seconds,
            ids: ids, namespace: namespace, cleanUp: cleanUp, duration: duration?.seconds)
        let base = try EventBase()
        let report = LoadRunner(base: base, plan: plan).run()
        base.close()
        print(json ? report.json() : report.text())
    }

    /// A user or namespace as API.md allows them: 1 to 128 of A-Z a-z 0-9 _ -.
    static func isName(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count)
            && text.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 45 || $0 == 95 }
    }
}

extension LoadAction: ExpressibleByArgument {}
extension IDStyle: ExpressibleByArgument {}
