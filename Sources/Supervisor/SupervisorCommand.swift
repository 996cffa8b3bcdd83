import ArgumentParser
import CommandLineSupport
import EventCore
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `blob-cluster`: what users start. Runs the balancer and N workers,
/// restarts what dies, scales at run time, stops everything cleanly.
@main
struct SupervisorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-cluster",
        abstract: "Run a blob cluster: a front on --port (K blob-balancer processes, or the workers themselves) for N blob-server workers on one store.",
        discussion: """
            The supervisor binds --port itself and passes that one listening socket to every process that accepts on it, so a child that stops or dies loses no queued connection. Fronts (--mode): tcp and http run --balancers blob-balancer processes (each with its own pool, on its own port above the workers' too: --worker-base-port + --max-workers + 1 + i, where it is health-checked); direct runs no balancer: every worker accepts on --port as well as on its own port; none binds no --port and runs the workers alone, on their own ports, for a balancer elsewhere (one in front of several hosts' workers).

            Prints one line once every worker answers /healthcheck and every balancer accepts: 'blob-cluster ready: balancer 127.0.0.1:8000 (pid N), workers :8001 (pid N) ...' ('balancers 127.0.0.1:8000 (pid N, pid M)' with --balancers 2, 'direct 127.0.0.1:8000 (every worker accepts on it)' in direct mode, 'no front (--mode none)' with none).

            Signals: TERM or INT stop gracefully (a second INT stops at once); HUP restarts the workers one at a time; TTIN and TTOU add and remove one worker; USR1 makes the running workers reopen --access-log. With --autoscale the count also follows the workers' CPU; each decision is logged with its reason.

            `blob-cluster status --store DIR` shows the running cluster's children and backends, asked over the supervisor's control socket (--control-socket; by default STORE.control.sock beside the store directory).

            Under systemd (Type=notify), READY=1 is sent to $NOTIFY_SOCKET with the ready line and STOPPING=1 when stopping begins: see contrib/blob-cluster.service.

            Exits 3 if the cluster cannot start (port in use, store not writable, control socket in use, access log not writable). A child that cannot start (exit 3) after the cluster was ready is retried with backoff instead, while the others serve.
            """)

    @Option(help: "Number of worker processes (1 to --max-workers).")
    var workers: Int = 1

    @Option(help: "Store directory shared by all workers (created if missing).")
    var store: String

    @Option(help: "The cluster's front door: a socket the supervisor binds and passes to the balancers (or, in direct mode, the workers); unused with --mode none.")
    var port: Int = 8000

    @Option(help: "Port of the first worker; worker i listens on this + i.")
    var workerBasePort: Int = 8001

    @Option(help: "Front: tcp (balancers, per-connection round robin, as the study's haproxy), http (balancers, per request, retrying what a dying worker dropped), direct (no balancer: the workers accept on --port; the kernel hands each connection to one of them) or none (workers only, on their own ports, for a balancer elsewhere).")
    var mode: ClusterFront = .tcp

    @Option(help: "tcp and http modes: balancer processes sharing --port, each with its own pool, supervised like the workers (1 to 16).")
    var balancers: Int = 1

    @Flag(help: "Passed to the balancers: X-Backend names the answering worker (http mode).")
    var exposeBackend = false

    @Option(help: "Address everything listens on.")
    var host: String = "127.0.0.1"

    @Option(help: "Most workers SIGTTIN may raise the count to.")
    var maxWorkers: Int = 8

    @Option(help: "On stop, how long in-flight requests may take before children are killed (e.g. 30s).")
    var gracefulTimeout: TimeSpan = "30s"

    @Option(help: "How often each running worker's /healthcheck is probed; a probe waits 1 s at most (or half of this, if shorter).")
    var livenessInterval: TimeSpan = "2s"

    @Option(help: "Failed probes in a row after which a worker counts as hung: it is taken out of the balancers (if any), killed and restarted.")
    var livenessFailures: Int = 3

    @Option(help: "Largest blob accepted by the workers (e.g. 1GiB).")
    var maxBody: ByteSize = "1GiB"

    @Option(help: "Bytes of blobs each user may store (off by default).")
    var quota: ByteSize?

    @Option(help: "With --quota: the workers' longest wait for a user's usage ledger held by another worker (at most 5s); past it the PUT or DELETE gets 503 with Retry-After: 1.")
    var quotaLockWait: TimeSpan = "200ms"

    @Option(help: "Listings each worker walks at once; more wait in --listing-queue.")
    var maxListings: Int = 2

    @Option(help: "Listings that may wait per worker for a --max-listings slot; beyond them a listing gets 503 with Retry-After: 1.")
    var listingQueue: Int = 8

    @Flag(help: "Workers fsync each blob and its directory before answering 200.")
    var fsync = false

    @Option(help: "Tokens file ('user:token' lines) the workers require on /blobs and /stream.")
    var tokens: String?

    @Option(help: "Passed to every worker: each appends one line per answered request to this file ('-': standard error), nginx's combined format plus the request time; all workers share the file (appends of whole lines never interleave). SIGUSR1 to blob-cluster makes every running worker reopen it (rotation: mv, then kill -USR1). Off by default.")
    var accessLog: String?

    @Option(help: "Serve metrics (Prometheus text format, GET /metrics): the supervisor's own on this port, balancer i's (tcp and http modes) on this + 1 + i. Each worker serves its own at /metrics on its port. Off when not given.")
    var metricsPort: Int?

    @Option(help: "The Unix socket `blob-cluster status` asks (made by the supervisor, mode 0660, removed on exit; default: STORE.control.sock beside the store directory).")
    var controlSocket: String?

    @OptionGroup(title: "Autoscaling") var scaling: AutoscaleOptions

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...256).contains(maxWorkers) else { throw ValidationError("--max-workers must be 1...256") }
        guard (1...maxWorkers).contains(workers) else { throw ValidationError("--workers must be 1...\(maxWorkers)") }
        try scaling.validate(workers: workers, maxWorkers: maxWorkers)
        guard let socket = controlSocketPath, UnixSocketAddress(socket) != nil, !socket.hasPrefix("@") else {
            throw ValidationError("--control-socket must be a path of at most \(UnixSocketAddress.maximumLength) bytes"
                + (controlSocket == nil ? " (the default beside --store is too long: give one)" : ""))
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard (1...16).contains(balancers) else { throw ValidationError("--balancers must be 1...16") }
        // One spare port above the workers is used for rolling restarts, then one per balancer.
        guard workerBasePort >= 1, workerBasePort + maxWorkers + balancers <= 65535 else {
            throw ValidationError("--worker-base-port leaves no room for \(maxWorkers) workers and \(balancers) balancers")
        }
        if !mode.hasBalancers && balancers != 1 { throw ValidationError("--balancers is for tcp and http modes; \(mode) mode has none") }
        guard livenessInterval.seconds >= 0.1 else { throw ValidationError("--liveness-interval must be at least 100ms") }
        guard (1...1000).contains(livenessFailures) else { throw ValidationError("--liveness-failures must be 1...1000") }
        guard quotaLockWait.seconds > 0, quotaLockWait.seconds <= 5 else {
            throw ValidationError("--quota-lock-wait must be more than 0 and at most 5s")
        }
        guard maxListings >= 1, listingQueue >= 0 else {
            throw ValidationError("--max-listings must be at least 1 and --listing-queue at least 0")
        }
        guard SocketAddress(host: host, port: port).sockaddr() != nil else { throw ValidationError("--host must be an IPv4 address") }
        if let metricsPort {
            guard (1...65535).contains(metricsPort) else { throw ValidationError("--metrics-port must be 1...65535") }
            let taken = metricsPorts
            guard taken.upperBound <= 65536 else { throw ValidationError("--metrics-port leaves no room for \(taken.count) ports") }
            let others = (mode.bindsThePort ? [port] : []) + Array(workerBasePort ..< workerBasePort + maxWorkers + 1 + balancerCount)
            if let clash = others.first(where: taken.contains) {
                throw ValidationError("--metrics-port: port \(clash) of \(taken.lowerBound)...\(taken.upperBound - 1) is taken by the front or a worker or balancer")
            }
        }
    }

    /// The supervisor's metrics port, then one per balancer.
    var metricsPorts: Range<Int> {
        guard let metricsPort else { return 0..<0 }
        return metricsPort ..< metricsPort + 1 + balancerCount
    }

    /// The balancer processes this front runs.
    var balancerCount: Int { mode.hasBalancers ? balancers : 0 }

    /// The control socket's path: --control-socket, else beside the store.
    var controlSocketPath: String? { controlSocket ?? ControlSocketPath.forStore(store) }

    /// The flags every worker is started with, besides its port.
    var workerArguments: [String] {
        var arguments = ["--store", store, "--host", host, "--max-body", maxBody.text, "--log-level", logging.logLevel.rawValue]
        if let quota { arguments += ["--quota", quota.text, "--quota-lock-wait", quotaLockWait.text] }
        arguments += ["--max-listings", String(maxListings), "--listing-queue", String(listingQueue)]
        if fsync { arguments.append("--fsync") }
        if let tokens { arguments += ["--tokens", tokens] }
        if let accessLog { arguments += ["--access-log", accessLog] }
        return arguments
    }

    /// `blob-cluster status ...` is its own command: dispatched here, as
    /// the argument parser would give the run command's required --store to
    /// a subcommand's flags of the same name.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "status" {
            StatusCommand.main(Array(arguments.dropFirst()))
        } else {
            main(arguments)
        }
    }

    func run() throws {
        let logger = Log.setUp(role: "blob-cluster", level: logging.logLevel)
        Resources.raiseDescriptorLimit()
        let code = try ClusterShell(command: self, logger: logger).run()
        if code != 0 { throw ExitCode(code) }
    }
}
