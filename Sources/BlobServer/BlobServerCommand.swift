import AccessLog
import ArgumentParser
import BlobKit
import ClusterMetrics
import CommandLineSupport
import EventCore
import HTTPServerKit
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `blob-server`: one worker process serving the Blobs API over a store
/// directory that every worker of a cluster shares.
@main
struct BlobServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-server",
        abstract: "Serve the Soledad Blobs HTTP API over a file-system store (one worker process).",
        discussion: """
            Prints one line once it listens: 'blob-server listening on HOST:PORT (pid N)', or with --listen-fd 'blob-server listening on HOST:PORT, shared HOST:PORT (pid N)'.

            Exits 3 if it cannot start (port in use, store not writable, --access-log file not openable). SIGTERM or SIGINT stop it once the requests in flight are answered (10 s at most), the access log written out. SIGUSR1 reopens the --access-log file.

            With --check-store DIR it serves nothing: it checks the store's layout (one line per finding, then a summary) and exits 0 if clean, 1 if not, 3 if the store cannot be read.
            """)

    @Option(help: "TCP port to listen on; 0 picks a free one.")
    var port: Int = 8001

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Store directory (created if missing), shared by all workers.")
    var store: String?

    @Option(help: "Check this store instead of serving: report temporary files, tombstones of live blobs, flags without a blob and files not in the layout.")
    var checkStore: String?

    @Flag(help: "With --check-store: remove old temporary files, flags without a blob and tombstones of live blobs, and empty stale quota ledgers (unknown files are left alone).")
    var repair = false

    @Option(help: "With --check-store --repair: temporary files younger than this, or whose writer pid runs on this host, are kept, e.g. 1h.")
    var temporaryAge: TimeSpan = "1h"

    @Option(help: "Largest blob accepted (e.g. 10MiB, 1G); larger PUTs get 413.")
    var maxBody: ByteSize = "1GiB"

    @Option(help: "Bytes of blobs each user may store (e.g. 100MiB); off by default. At or over it, PUT gets 507 (the blob that crosses it is kept). Every worker of a store should use it: one started without it empties the users' usage ledgers.")
    var quota: ByteSize?

    @Option(help: "With --quota: longest wait for a user's usage ledger held by another worker (stopped, hung, or walking the user's blobs), e.g. 200ms, at most 5s; past it the PUT or DELETE gets 503 with Retry-After: 1 and changes nothing. The worker serves no one while it waits.")
    var quotaLockWait: TimeSpan = "200ms"

    @Flag(help: "Sync every change before answering: a blob's data and each directory a PUT, DELETE or flags POST changed or created (survives power loss).")
    var fsync = false

    @Option(help: "Age after which a named temporary file whose writer is gone is removed (a sweep at start and every age/4, at least a minute apart), e.g. 1h. Writers on other hosts sharing the store rely on it: keep it well above --idle-timeout.")
    var tempMaxAge: TimeSpan = "1h"

    @Flag(help: "Stage uploads in named dot files even where the file system has O_TMPFILE.")
    var namedTempFiles = false

    @Option(help: "File of 'user:token' lines; when given, /blobs and /stream require those credentials.")
    var tokens: String?

    @Option(help: "Seconds a client has to send a whole request head (slowloris guard), e.g. 10s.")
    var headerTimeout: TimeSpan = "10s"

    @Option(help: "Seconds an idle keep-alive connection or a stalled upload is kept, e.g. 60s.")
    var idleTimeout: TimeSpan = "60s"

    @Option(help: "Largest request body still read and dropped after an early answer (404, 409, 401...) to keep the connection, e.g. 64KiB; larger ones close it.")
    var discardBodyLimit: ByteSize = "64KiB"

    @Option(help: "Listings (GET /blobs/{user}/) this worker walks at once; more wait in --listing-queue.")
    var maxListings: Int = 2

    @Option(help: "Listings that may wait for one of the --max-listings slots; beyond them a listing gets 503 with Retry-After: 1.")
    var listingQueue: Int = 8

    @Option(help: "Exit when this inherited descriptor reaches end of file (blob-cluster passes a pipe so workers never outlive it).")
    var lifelineFd: Int32?

    @Option(help: "Also accept on this inherited listening socket, shared with other processes (blob-cluster --mode direct passes its front port as descriptor 3). On stop the worker stops accepting on it and drains; the socket stays open in the others.")
    var listenFd: Int32?

    @Option(help: "Append one line per answered request to this file ('-': standard error), in nginx's combined format plus the request time in seconds; written in batches (64 KiB, or at least once a second, and at the stop). SIGUSR1 reopens it (rotation: mv, then kill -USR1). Off by default.")
    var accessLog: String?

    @Flag(inversion: .prefixedNo, help: "Count requests, latencies, bytes and store failures, and serve them at GET /metrics (Prometheus text format) on --port.")
    var metrics = true

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        switch (store, checkStore) {
        case (nil, nil): throw ValidationError("--store DIR is required (or --check-store DIR to check a store)")
        case (.some, .some): throw ValidationError("--store serves a store, --check-store checks one: give one of them")
        case (.some, nil) where repair: throw ValidationError("--repair needs --check-store DIR")
        default: break
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard SocketAddress(host: host, port: port).sockaddr() != nil else {
            throw ValidationError("--host must be an IPv4 address such as 127.0.0.1")
        }
        guard maxListings >= 1, listingQueue >= 0 else {
            throw ValidationError("--max-listings must be at least 1 and --listing-queue at least 0")
        }
        guard headerTimeout.seconds > 0, idleTimeout.seconds > 0, tempMaxAge.seconds > 0 else {
            throw ValidationError("--header-timeout, --idle-timeout and --temp-max-age must be more than 0")
        }
        guard quotaLockWait.seconds > 0, quotaLockWait.seconds <= 5 else {
            throw ValidationError("--quota-lock-wait must be more than 0 and at most 5s")
        }
        if let lifelineFd, lifelineFd < 0 { throw ValidationError("--lifeline-fd must be a descriptor (>= 0)") }
        if let listenFd, listenFd < 0 { throw ValidationError("--listen-fd must be a descriptor (>= 0)") }
    }

    func run() throws {
        if let checkStore { return try Self.check(checkStore, repair: repair, temporaryAge: temporaryAge.seconds) }
        let logger = Log.setUp(role: "blob-server", level: logging.logLevel)
        do {
            try serve(logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode.bootFailure
        }
    }

    private func serve(logger: Logger) throws {
        guard let store else { return }  // validate() requires it when not checking
        let descriptorLimit = Resources.raiseDescriptorLimit()
        let blobStore = try BlobStore(root: store, durability: fsync ? .fsync : .processCrash, quota: quota?.bytes,
                                      quotaLockWait: quotaLockWait.seconds, allowUnnamedTemporaryFiles: !namedTempFiles)
        if let problem = blobStore.healthCheck() { throw BootError("store \(store): \(problem.logDescription)") }
        if !blobStore.keysSupported {
            logger.warning("store \(store) takes no user extended attributes: Idempotency-Key is not recorded (a repeated PUT gets 409, a repeated DELETE 404)")
        }
        switch blobStore.temporaryFiles {
        case .unnamed: logger.info("uploads are staged in unnamed O_TMPFILE files (a crash leaves nothing)")
        case .named: logger.notice("uploads are staged in named temporary files\(namedTempFiles ? "" : " (no O_TMPFILE here)"); stale ones are removed after \(tempMaxAge.text)")
        }
        if blobStore.clearedUsageLedgers > 0 {
            logger.notice("emptied \(blobStore.clearedUsageLedgers) users' usage ledgers: without --quota this worker does not keep them (a worker with --quota walks each user once)")
        }
        let credentials = try tokens.map { try Credentials(contentsOf: $0) }
        let base = try EventBase()
        defer { base.close() }
        let background = try BackgroundWork(base: base)
        defer { background.close() }
        // Flags POSTs stage named files in either mode: the sweep always runs.
        let sweeper = TemporaryFileSweeper(sweep: TemporaryFileSweep(store: blobStore, maxAge: tempMaxAge.seconds),
                                           base: base, background: background, logger: logger)
        defer { sweeper.close() }
        let workerMetrics = metrics ? WorkerMetrics() : nil
        let listings = ListingGate(maxRunning: maxListings, maxWaiting: listingQueue)
        let service = BlobService(
            store: blobStore, maxBody: maxBody.bytes, credentials: credentials, logger: logger,
            background: background, listings: listings, failures: workerMetrics)
        var config = HTTPServerConfig()
        config.limits.maxBodyBytes = maxBody.bytes
        config.headerTimeout = headerTimeout.seconds
        config.idleTimeout = idleTimeout.seconds
        config.discardBodyLimit = discardBodyLimit.bytes
        config.maxConnections = HTTPServerConfig.connectionCap(descriptorLimit: descriptorLimit)
        // Made before the server, so closed after it (defers run in reverse):
        // the lines of requests the server abandons at the stop are written.
        let requestLog: AccessLog?
        do {
            requestLog = try accessLog.map { try AccessLog(path: $0, base: base, logger: logger, next: workerMetrics?.requests) }
        } catch {
            throw BootError("access log \(accessLog ?? ""): \(error)")
        }
        defer { requestLog?.close() }
        let server = try HTTPServer(base: base, address: SocketAddress(host: host, port: port), handler: service, config: config)
        defer { server.close() }
        if let workerMetrics {
            let endpoint = MetricsEndpoint(registry: workerMetrics.registry)
            endpoint.beforeScrape = { [unowned server] in workerMetrics.refresh(server: server, listings: listings) }
            endpoint.histograms = [workerMetrics.requests.durations]
            service.outsideTheAPI = endpoint
        }
        // The access log passes each request on to the metrics; without it
        // the metrics observe alone, at no cost of the log's.
        server.observer = requestLog ?? workerMetrics?.requests
        if let listenFd { try server.listen(onShared: listenFd) }
        // TERM and INT finish the requests in flight (up to 10 s), then exit;
        // a lost lifeline (the supervisor died) stops at once.
        var stopping = false
        let stopNow: () -> Void = {
            server.close()
            base.stop()
        }
        let stop: () -> Void = {
            guard !stopping else { return stopNow() }
            stopping = true
            logger.info("stopping: finishing requests in flight")
            server.drain(timeout: 10, done: stopNow)
        }
        var events = [SIGTERM, SIGINT].map { LoopEvent.signal(base: base, $0, action: stop) }
        // USR1 reopens the access log (log rotation, as nginx); without one
        // it is ignored rather than fatal (blob-cluster forwards it to all).
        events.append(LoopEvent.signal(base: base, SIGUSR1) {
            if let requestLog { requestLog.reopen() } else { logger.info("SIGUSR1: no --access-log to reopen") }
        })
        if let lifelineFd { events.append(Lifeline.watch(base: base, fd: lifelineFd, logger: logger, onLost: stopNow)) }
        defer { events.forEach { $0.close() } }
        signal(SIGPIPE, SIG_IGN)
        let shared = server.sharedAddress.map { ", shared \($0)" } ?? ""
        Console.line("blob-server listening on \(server.address)\(shared) (pid \(getpid()))")
        logger.info("listening on \(server.address), store \(store)\(fsync ? ", fsync" : ""), at most \(config.maxConnections) connections (\(descriptorLimit) descriptors)")
        base.run()
    }
}
