import ArgumentParser
import CommandLineSupport
import EventCore
import LoadKit
#if canImport(Glibc)
import Glibc
#endif

/// `blob-load`: runs one of the study's actions against a server and reports
/// throughput, latency percentiles and statuses (text, or JSON for scripts),
/// either back to back (closed loop) or at a fixed rate (open loop).
@main
struct BlobLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-load",
        abstract: "Load a blob server with one of the study's actions and report what happened.",
        discussion: """
            Actions: baseline = GET /; list = GET /blobs/USER/; count = GET /blobs/USER/?only_count=1; put = PUT of a new blob; get = PUT then GET of it (the bytes are checked); flag = PUT then POST ["PROCESSING"]; delete = PUT then DELETE.

            --amount counts actions, so get, flag and delete make two requests each. Every blob id is new: a run prefix and a counter, or with --ids uuid random 32-digit hex UUIDs as Soledad's clients make, which spread over the store's prefix directories. --namespace sends every request to that namespace. --clean-up ends each put, get and flag action with a DELETE of its blob (reported as DELETE cleanup), so the run leaves the store's size as it was. --duration starts no action after that long (the report's "actions" says how many ran). Connections are kept alive unless --new-connection-per-request (as ab does). Only 200 counts as success. Exits 0 when the run happened, whatever the server answered.

            Open loop (as wrk2): --rate R --duration D starts R actions per second for D, the i-th due at i/R seconds from the start, whatever the answers; --phases "200:10s,1500:20s,200:20s" runs such rates one after another instead (0 is a pause). At most --concurrency actions are in flight, one kept-alive connection each (a failed connection is replaced on the next action); a due action that finds every connection busy waits in a backlog of at most --backlog actions, and one due when the backlog is full is dropped (an error, "dropped"). Latency counts from when an action was due, not from when it was sent, so a server that stalls shows its stall in the percentiles (coordinated omission corrected); --timeout counts from the send. --timeline FILE (- for standard output) writes one line per second of the run, after a header comment: second offered sent answered ok errors dropped p50_ms p99_ms. offered and dropped count actions by when they were due, sent by when a connection took them, the rest by when the action ended; answered is any status, ok is 200 (and the right bytes for get) on every request of the action, errors is every other end (another status, no answer, dropped); p50_ms and p99_ms are of the actions answered in that second, from their due time, or nan when none was. --latencies FILE writes one line per answered action: the second it was due in and its latency from its due time in ms (a percentile over any stretch of seconds can be computed from it, as scripts/scale-test.sh does). The run ends when every scheduled action has ended; the report adds offered, sent, answered, ok, errors, dropped and these latencies (JSON: offered, sent, answered, ok, action_errors, dropped, action_p50_ms, action_p90_ms, action_p99_ms, action_max_ms, phases, backlog).
            """)

    @Option(help: "The action to repeat (see above).")
    var action: LoadAction

    @Option(name: [.customShort("n"), .long], help: "Number of actions (default 1000; not with --rate or --phases).")
    var amount: Int?

    @Option(name: [.customShort("c"), .long], help: "Actions in flight at once (one connection each); with --rate, the most connections.")
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

    @Option(help: "Start no action after this long (e.g. 30s; default: run all --amount); with --rate, how long to send.")
    var duration: TimeSpan?

    @Option(help: "Open loop: start this many actions per second, whatever the answers (needs --duration).")
    var rate: Double?

    @Option(help: "Open loop: rates one after another, RATE:DURATION,... (e.g. \"200:10s,1500:20s,200:20s\").")
    var phases: PhasesArgument?

    @Option(help: "Open loop: due actions that may wait for a busy connection; beyond that they are dropped.")
    var backlog: Int = 10_000

    @Option(help: "Open loop: write one line per second to this file (- for standard output).")
    var timeline: String?

    @Option(help: "Open loop: write each answered action's due second and latency in ms to this file (- for standard output).")
    var latencies: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    /// The highest --rate or phase rate: beyond it one loop cannot keep the schedule anyway.
    static let maximumRate = 1_000_000.0

    func validate() throws {
        if let amount, !(0...1_000_000_000).contains(amount) { throw ValidationError("--amount must be 0...1000000000") }
        guard (1...10_000).contains(concurrency) else { throw ValidationError("--concurrency must be 1...10000") }
        guard size.bytes <= 1 << 30 else { throw ValidationError("--size must be at most 1GiB") }
        guard LoadTarget(url: url) != nil else { throw ValidationError("--url must be http://HOST[:PORT] with an IPv4 host: \(url)") }
        guard Self.isName(user) else { throw ValidationError("--user must match [A-Za-z0-9_-]+") }
        if let namespace, !Self.isName(namespace) { throw ValidationError("--namespace must be 1 to 128 of [A-Za-z0-9_-]") }
        if let duration, duration.seconds <= 0 { throw ValidationError("--duration must be more than 0") }
        guard timeout.seconds > 0 else { throw ValidationError("--timeout must be more than 0") }
        try validateOpenLoop()
    }

    /// The open loop's flags go together: a schedule (--rate with --duration,
    /// or --phases alone), never --amount, and the rest only with one.
    private func validateOpenLoop() throws {
        if let rate, !(rate > 0 && rate <= Self.maximumRate) { throw ValidationError("--rate must be more than 0 and at most 1000000") }
        if rate != nil && phases != nil { throw ValidationError("--rate and --phases cannot be used together") }
        if rate != nil && duration == nil { throw ValidationError("--rate needs --duration (how long to send)") }
        if phases != nil && duration != nil { throw ValidationError("--phases gives its own durations: drop --duration") }
        guard let schedule else {
            if timeline != nil { throw ValidationError("--timeline needs --rate or --phases") }
            if latencies != nil { throw ValidationError("--latencies needs --rate or --phases") }
            return
        }
        if amount != nil { throw ValidationError("--amount cannot be used with --rate or --phases: the schedule sets the number of actions") }
        guard schedule.count <= 1_000_000_000 else { throw ValidationError("the schedule must make at most 1000000000 actions") }
        guard (1...100_000_000).contains(backlog) else { throw ValidationError("--backlog must be 1...100000000") }
        if timeline == "" { throw ValidationError("--timeline needs a file name, or - for standard output") }
        if latencies == "" { throw ValidationError("--latencies needs a file name, or - for standard output") }
    }

    /// The open loop's schedule, or nil for a closed loop.
    var schedule: RateSchedule? {
        if let phases { return phases.schedule }
        if let rate, let duration { return RateSchedule(rate: rate, seconds: duration.seconds) }
        return nil
    }

    func run() throws {
        Resources.raiseDescriptorLimit()
        signal(SIGPIPE, SIG_IGN)
        let schedule = schedule
        let plan = LoadPlan(
            action: action, amount: schedule?.count ?? amount ?? 1000, concurrency: concurrency,
            size: size.bytes, newConnectionPerRequest: newConnectionPerRequest,
            target: LoadTarget(url: url)!, user: user, timeout: timeout.seconds,
            ids: ids, namespace: namespace, cleanUp: cleanUp, duration: schedule == nil ? duration?.seconds : nil,
            schedule: schedule, backlog: backlog)
        let file = try timeline.map { try TimelineFile(path: $0, flag: "--timeline") }
        let latencyFile = try latencies.map { try TimelineFile(path: $0, flag: "--latencies") }
        let base = try EventBase(preciseTimers: schedule != nil)
        let report: LoadReport
        if schedule != nil {
            report = OpenLoopRunner(base: base, plan: plan, timeline: { lines in file?.write(lines) },
                                    latencies: latencyFile.map { latencyFile in { lines in latencyFile.write(lines) } }).run()
        } else {
            report = LoadRunner(base: base, plan: plan).run()
        }
        base.close()
        file?.close()
        latencyFile?.close()
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
