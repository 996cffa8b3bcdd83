import ArgumentParser
import BalancerKit
import ClusterMetrics
import CommandLineSupport
import EventCore
import HTTPServerKit
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `blob-balancer`: the round-robin reverse proxy in front of the workers.
/// Flags use haproxy's words and defaults.
@main
struct BalancerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-balancer",
        abstract: "Round-robin reverse proxy (tcp or http mode) in front of blob-server workers.",
        discussion: """
            Prints 'blob-balancer listening on HOST:PORT (pid N, mode M, K backends)' once it listens (with --listen-fd: 'on HOST:PORT, shared HOST:PORT (pid ...'), with --metrics-port the line ends ', metrics on HOST:PORT)'; exits 3 if it cannot (port in use).

            SIGTERM or SIGINT: stop accepting, let connections in flight finish (10 s at most), exit 0.

            With --control-fd, lines 'add HOST:PORT', 'drain HOST:PORT', 'remove HOST:PORT' and 'stop' change the backends at run time, 'report' is answered with one line 'backends HOST:PORT=up|down|draining ...' on the same descriptor when it is a socket, and end of file on that descriptor (the supervisor died) stops the balancer.
            """)

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 8000

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "A backend HOST:PORT; repeat for each (round robin in the order given).")
    var backend: [String] = []

    @Option(help: "tcp: per-connection round robin (the study's haproxy). http: per-request round robin on kept-alive connections.")
    var mode: ProxyMode = .tcp

    @Option(help: "Further backends to try when a connect fails (redispatch).")
    var retries: Int = 3

    @Option(help: "Interval between health checks of each backend (e.g. 2s, 500ms).")
    var checkInter: TimeSpan = "2s"

    @Option(help: "Health check: tcp (a connect, haproxy's default) or healthcheck (GET /healthcheck must answer 200).")
    var check: HealthCheckKind = .tcp

    @Option(help: "Consecutive successful checks that bring a backend UP.")
    var rise: Int = 2

    @Option(help: "Consecutive failed checks that take a backend DOWN.")
    var fall: Int = 3

    @Option(help: "Longest wait for a backend connect.")
    var timeoutConnect: TimeSpan = "5s"

    @Option(help: "Longest a client may stay idle.")
    var timeoutClient: TimeSpan = "30s"

    @Option(help: "Longest a backend may stay silent, no byte either way (http mode: 504 if before its answer).")
    var timeoutServer: TimeSpan = "30s"

    @Option(help: "http mode: longest a request head may take to arrive whole, however it trickles (408 after it).")
    var timeoutHttpRequest: TimeSpan = "10s"

    @Flag(help: "http mode: add X-Backend (the answering worker's HOST:PORT) to every answer; off by default, as it is an internal address.")
    var exposeBackend = false

    @Option(help: "Most concurrent client connections; beyond it new ones wait in the kernel backlog.")
    var maxconn: Int = 10_000

    @Option(help: "Read control lines from this inherited descriptor (the supervisor's pipe).")
    var controlFd: Int32?

    @Option(help: "Also accept on this inherited listening socket, shared with other balancers (blob-cluster --balancers K passes its front port as descriptor 3). On stop the balancer stops accepting on it; the socket stays open in the others.")
    var listenFd: Int32?

    @Option(help: "Serve the balancer's figures at GET /metrics (Prometheus text format) on this port of --host; off when not given.")
    var metricsPort: Int?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        if let metricsPort {
            guard (0...65535).contains(metricsPort) else { throw ValidationError("--metrics-port must be 0...65535") }
            guard metricsPort == 0 || metricsPort != port else { throw ValidationError("--metrics-port must differ from --port") }
        }
        guard SocketAddress(host: host, port: port).sockaddr() != nil else { throw ValidationError("--host must be an IPv4 address") }
        for text in backend where SocketAddress(text) == nil {
            throw ValidationError("--backend '\(text)' is not HOST:PORT with an IPv4 host")
        }
        guard (0...100).contains(retries) else { throw ValidationError("--retries must be 0...100") }
        guard (1...1000).contains(rise), (1...1000).contains(fall) else { throw ValidationError("--rise and --fall must be 1...1000") }
        guard (1...1_000_000).contains(maxconn) else { throw ValidationError("--maxconn must be 1...1000000") }
        if let controlFd, controlFd < 0 { throw ValidationError("--control-fd must be a descriptor (>= 0)") }
        if let listenFd, listenFd < 0 { throw ValidationError("--listen-fd must be a descriptor (>= 0)") }
        for (name, value) in [("--check-inter", checkInter), ("--timeout-connect", timeoutConnect),
                              ("--timeout-client", timeoutClient), ("--timeout-server", timeoutServer),
                              ("--timeout-http-request", timeoutHttpRequest)] where value.seconds <= 0 {
            throw ValidationError("\(name) must be more than 0")
        }
    }

    var config: BalancerConfig {
        var config = BalancerConfig(listen: SocketAddress(host: host, port: port), backends: backend.compactMap(SocketAddress.init))
        config.mode = mode
        config.retries = retries
        config.checkInterval = checkInter.seconds
        config.rise = rise
        config.fall = fall
        config.httpCheck = check == .healthcheck
        config.connectTimeout = timeoutConnect.seconds
        config.clientTimeout = timeoutClient.seconds
        config.serverTimeout = timeoutServer.seconds
        config.httpRequestTimeout = timeoutHttpRequest.seconds
        config.maxConnections = maxconn
        config.exposeBackend = exposeBackend
        config.sharedListenFD = listenFd
        return config
    }

    func run() throws {
        let logger = Log.setUp(role: "blob-balancer", level: logging.logLevel)
        Resources.raiseDescriptorLimit()
        signal(SIGPIPE, SIG_IGN)
        let base: EventBase
        do {
            base = try EventBase()
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode.bootFailure
        }
        let directory = BackendDirectory(base: base, config: config, logger: logger)
        let metrics = metricsPort.map { _ in BalancerMetrics() }
        let front: BalancerFront
        var metricsServer: HTTPServer?
        do {
            switch config.mode {
            case .tcp: front = try TCPBalancer(base: base, config: config, directory: directory, logger: logger, metrics: metrics)
            case .http: front = try HTTPBalancer(base: base, config: config, directory: directory, logger: logger, metrics: metrics)
            }
        } catch {
            logger.critical("cannot start: \(error)")
            directory.close()
            base.close()
            throw ExitCode.bootFailure
        }
        if let metrics, let metricsPort {
            let endpoint = MetricsEndpoint(registry: metrics.registry)
            endpoint.beforeScrape = { [unowned front] in metrics.refresh(sessions: front.sessionCount, directory: directory) }
            do {
                metricsServer = try HTTPServer(base: base, address: SocketAddress(host: host, port: metricsPort), handler: endpoint)
            } catch {
                // The front's listeners are events of the loop: freed before it.
                logger.critical("cannot start: metrics port \(host):\(metricsPort): \(error)")
                front.close()
                directory.close()
                base.close()
                throw ExitCode.bootFailure
            }
        }
        let stopper = GracefulStop(base: base, front: front, timeout: config.stopTimeout, logger: logger)
        var events = [SIGTERM, SIGINT].map { LoopEvent.signal(base: base, $0) { stopper.begin() } }
        if let controlFd {
            events.append(ControlChannel.watch(base: base, fd: controlFd, logger: logger) { command in
                switch command {
                case nil: stopper.now()
                case .stop?: stopper.begin()
                case .report?: ControlChannel.answer(directory.report.line, fd: controlFd)
                case let other?: directory.apply(other)
                }
            })
        }
        let shared = front.sharedAddress.map { ", shared \($0)" } ?? ""
        let metricsAt = metricsServer.map { ", metrics on \($0.address)" } ?? ""
        Console.line("blob-balancer listening on \(front.address)\(shared) (pid \(getpid()), mode \(mode), \(backend.count) backends\(metricsAt))")
        logger.info("listening on \(front.address), mode \(mode), backends \(backend.joined(separator: " "))")
        base.run()
        events.forEach { $0.close() }
        stopper.close()
        metricsServer?.close()
        front.close()
        directory.close()
        base.close()
    }
}

extension ProxyMode: ExpressibleByArgument {}

/// `--check`: how a backend's health is probed.
enum HealthCheckKind: String, ExpressibleByArgument, CaseIterable {
    /// A connect, as haproxy's `check` does by default.
    case tcp
    /// `GET /healthcheck` must answer 200.
    case healthcheck
}
