import ClusterControl
import ClusterMetrics
import CommandLineSupport
import EventCore
import HTTPServerKit
import Logging
import SupervisorKit
#if canImport(Glibc)
import Glibc
#endif

/// The thin process shell around `SupervisorStateMachine`: signals and
/// child exits become loop events, one timer wakes the machine at its next
/// deadline (health probes, backoffs, stop), and each action the machine returns is carried out here
/// (posix_spawn, kill, a line to the balancers, the ready line, exit).
///
/// The shell owns the front port: one listening socket, made before any
/// child and kept open until the supervisor exits, passed as descriptor 3
/// to every balancer (or every worker in direct mode), which all accept on
/// it, as gunicorn's workers share the arbiter's socket. A child that stops
/// or dies only closes its copy: connections queued on the socket wait for
/// the others instead of being reset, which SO_REUSEPORT (one queue per
/// socket, lost with it; the kernel's hash choosing the queue) cannot give.
final class ClusterShell {
    let command: SupervisorCommand
    private let logger: Logger
    private let base: EventBase
    private var machine: SupervisorStateMachine
    private let launcher = Launcher()
    /// Workers' stdin: EOF when we die, however we die.
    private let lifeline: ParentPipe
    /// Each running balancer's control channel (its stdin), by pid; each
    /// keeps the balancer's last report (`blob-cluster status` shows them).
    private var controls: [Int32: ControlLink] = [:]
    /// The front port's listening socket, shared by the children that accept on it.
    private var frontSocket: Int32 = -1
    /// The port it is bound to (the one asked for, or the kernel's pick for 0).
    private(set) var frontPort = 0
    private var events: [LoopEvent] = []
    private var probing: Set<Int32> = []
    private var exitCode: Int32?
    private var deadlineTimer: LoopEvent?
    /// `/metrics` on `--metrics-port`, when asked for.
    private var metricsServer: HTTPServer?
    /// READY=1 and STOPPING=1 for systemd, when run as a `Type=notify` unit.
    private let systemd = SystemdNotifier()
    /// `blob-cluster status` asks here.
    private var controlSocket: ControlSocket?
    private let startedAt = MonotonicClock.seconds()
    private var toldSystemdStopping = false

    init(command: SupervisorCommand, logger: Logger) throws {
        self.command = command
        self.logger = logger
        base = try EventBase()
        lifeline = try ParentPipe()
        var config = SupervisorConfig(
            workers: command.workers, maxWorkers: command.maxWorkers, balancerPort: command.port,
            basePort: command.workerBasePort, gracefulTimeout: command.gracefulTimeout.seconds, bootFailureCode: ProgramExit.bootFailure)
        config.balancers = command.balancerCount
        config.killTimeout = 5
        config.livenessInterval = command.livenessInterval.seconds
        config.livenessFailures = command.livenessFailures
        config.autoscale = command.scaling.policy
        machine = SupervisorStateMachine(config: config)
    }

    /// Runs the cluster until it stops; returns the exit code.
    func run() throws -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        if let busy = openFrontSocket() ?? firstBusyPort() {
            return bootFailure("port \(command.host):\(busy) is in use (another cluster?)")
        }
        let signals: [(Int32, SupervisorEvent)] = [
            (SIGTERM, .signal(.terminate)), (SIGINT, .signal(.interrupt)), (SIGHUP, .signal(.hangup)),
            (SIGTTIN, .signal(.increase)), (SIGTTOU, .signal(.decrease)),
        ]
        for (number, event) in signals {
            events.append(LoopEvent.signal(base: base, number) { [unowned self] in self.feed(event) })
        }
        events.append(LoopEvent.signal(base: base, SIGCHLD) { [unowned self] in self.reap() })
        events.append(LoopEvent.signal(base: base, SIGUSR1) { [unowned self] in self.forwardReopen() })
        // One timer, armed after every event for the machine's next deadline
        // (backoffs, probes of starting children, stop deadlines): no polling.
        let deadline = LoopEvent.timer(base: base, repeating: false) { [unowned self] in self.feed(.tick) }
        deadlineTimer = deadline
        events.append(deadline)
        if command.mode.hasBalancers {
            // The balancers' own view of their backends, for `status`: asked
            // every 2 s (a line each way), so an answer is never older.
            let asker = LoopEvent.timer(base: base, repeating: true) { [unowned self] in self.askBalancersForReports() }
            asker.add(after: Self.reportInterval)
            events.append(asker)
        }
        if command.scaling.autoscale {
            let sampler = LoopEvent.timer(base: base, repeating: true) { [unowned self] in self.sampleWorkerCPU() }
            sampler.add(after: command.scaling.autoscaleInterval.seconds)
            events.append(sampler)
        }
        if let port = command.metricsPort {
            do {
                metricsServer = try serveMetrics(on: port)
            } catch {
                return bootFailure("metrics port \(command.host):\(port): \(error)")
            }
        }
        do {
            controlSocket = try ControlSocket(path: command.controlSocketPath ?? "", base: base) { [unowned self] in self.status() }
        } catch {
            return bootFailure("\(error)")
        }
        feed(.start)
        if exitCode == nil { base.run() }
        closeAll()
        return exitCode ?? 0
    }

    private func bootFailure(_ reason: String) -> Int32 {
        logger.critical("cannot start: \(reason)")
        closeAll()
        return ProgramExit.bootFailure
    }

    /// Frees what the shell made, whatever got made: after the loop, or at
    /// a failed start (the loop's events before the loop itself).
    private func closeAll() {
        controlSocket?.close()
        controlSocket = nil
        metricsServer?.close()
        metricsServer = nil
        events.forEach { $0.close() }
        events = []
        controls.values.forEach { $0.close() }
        controls = [:]
        lifeline.close()
        if frontSocket >= 0 { close(frontSocket) }
        frontSocket = -1
        base.close()
    }

    private func serveMetrics(on port: Int) throws(SystemError) -> HTTPServer {
        let metrics = SupervisorMetrics(autoscaling: command.scaling.autoscale)
        let endpoint = MetricsEndpoint(registry: metrics.registry)
        endpoint.beforeScrape = { [unowned self] in metrics.refresh(from: self.machine) }
        return try HTTPServer(base: base, address: SocketAddress(host: command.host, port: port), handler: endpoint)
    }

    static let reportInterval = 2.0

    private func status() -> String {
        let now = MonotonicClock.seconds()
        return ClusterStatus(machine: machine, now: now, startedAt: startedAt, mode: command.mode.rawValue,
                             front: frontAddress, supervisorPID: getpid(),
                             balancerReports: controls.compactMapValues { $0.lastReport.map { (age: now - $0.at, report: $0.report) } }).text
    }

    private func askBalancersForReports() {
        let line = ControlCommand.report.line
        for link in controls.values { link.send(line: line) }
    }

    /// Binds the front port for good (if the front has one); returns it if it is taken.
    private func openFrontSocket() -> Int? {
        guard command.mode.bindsThePort else { return nil }
        guard let (fd, port) = try? Sockets.listen(on: SocketAddress(host: command.host, port: command.port), backlog: 4096) else {
            return command.port
        }
        frontSocket = fd
        frontPort = port
        return nil
    }

    /// The first of the workers' and the balancers' own ports that cannot
    /// be bound now: a clear message beats children failing one by one.
    private func firstBusyPort() -> Int? {
        let ports = (0..<command.workers).map { command.workerBasePort + $0 } + Array(machine.config.balancerPorts)
            + Array(command.metricsPorts)
        for port in ports {
            guard let (fd, _) = try? Sockets.listen(on: SocketAddress(host: command.host, port: port), backlog: 1) else { return port }
            close(fd)
        }
        return nil
    }

    /// Events not yet handed to the machine. An action may report an event
    /// at once (a probe that fails before it starts); it waits its turn here
    /// instead of re-entering the machine in the middle of a pass.
    private var pendingEvents: [SupervisorEvent] = []
    private var feeding = false

    private func feed(_ event: SupervisorEvent) {
        pendingEvents.append(event)
        guard !feeding else { return }
        feeding = true
        var next = 0
        while next < pendingEvents.count {
            let event = pendingEvents[next]
            next += 1
            for action in machine.handle(event, now: MonotonicClock.seconds()) {
                if let followUp = perform(action) { pendingEvents.append(followUp) }
            }
        }
        pendingEvents.removeAll(keepingCapacity: true)
        feeding = false
        if machine.isStopping && !toldSystemdStopping {
            toldSystemdStopping = true
            systemd.notify(["STOPPING=1", "STATUS=stopping"])
        }
        armDeadlineTimer()
    }

    private func armDeadlineTimer() {
        guard let deadlineTimer, exitCode == nil else { return }
        deadlineTimer.cancel()
        if let deadline = machine.nextDeadline() { deadlineTimer.add(after: max(0, deadline - MonotonicClock.seconds())) }
    }

    /// The autoscaler's signal: every worker's CPU so far (the machine
    /// keeps the previous sample and picks the serving ones).
    private func sampleWorkerCPU() {
        var cpu: [Int32: Double] = [:]
        for child in machine.children where child.role == .worker {
            if let pid = child.pid, let seconds = ProcessCPUTime.seconds(of: pid) { cpu[pid] = seconds }
        }
        feed(.workerCPU(cpu))
    }

    /// SIGUSR1 (log rotation): each worker reopens its --access-log. Not a
    /// machine event, it changes no child: the shell passes it on. A worker
    /// still starting is skipped (it may not handle USR1 yet, and dies of
    /// it); one that opened the file before the rename writes there until
    /// the next USR1.
    private func forwardReopen() {
        var told = 0
        for child in machine.children where child.role == .worker {
            guard let pid = child.pid else { continue }
            if case .starting = child.state { continue }
            kill(pid, SIGUSR1)
            told += 1
        }
        logger.info("SIGUSR1: told \(told) workers to reopen their access logs")
    }

    private func reap() {
        for (pid, status) in Reaper.reap() {
            probing.remove(pid)
            controls.removeValue(forKey: pid)?.close()
            feed(.exited(pid: pid, status: status))
        }
    }

    /// Carries out one action; may return the event it causes at once.
    private func perform(_ action: SupervisorAction) -> SupervisorEvent? {
        switch action {
        case .spawnWorker(let id, let port):
            var arguments = ["--port", "\(port)", "--lifeline-fd", "0"] + command.workerArguments
            let shares = command.mode.workersShareThePort
            if shares { arguments += ["--listen-fd", "\(Launcher.sharedSocketFD)"] }
            return spawn(id: id, executable: "blob-server", arguments: arguments, stdin: lifeline.readEnd,
                         sharedFD: shares ? frontSocket : nil)
        case .spawnBalancer(let id, let port, let backends):
            guard let link = try? ControlLink() else { return .spawnFailed(childID: id, reason: "cannot make a socket pair") }
            var arguments = ["--port", "\(port)", "--listen-fd", "\(Launcher.sharedSocketFD)", "--host", command.host,
                             "--mode", command.mode.rawValue, "--control-fd", "0", "--check", "healthcheck",
                             "--log-level", command.logging.logLevel.rawValue]
            if command.exposeBackend { arguments.append("--expose-backend") }
            if let metricsPort = command.metricsPort {
                let index = port - machine.config.balancerPorts.lowerBound
                arguments += ["--metrics-port", "\(metricsPort + 1 + index)"]
            }
            for port in backends { arguments += ["--backend", "\(command.host):\(port)"] }
            let event = spawn(id: id, executable: "blob-balancer", arguments: arguments, stdin: link.childEnd, sharedFD: frontSocket)
            link.closeChildEnd()
            if case .spawned(_, let pid) = event {
                link.watch(base: base)
                controls[pid] = link
            } else {
                link.close()
            }
            return event
        case .terminate(let pid):
            kill(pid, SIGTERM)
        case .kill(let pid):
            kill(pid, SIGKILL)
        case .tellBalancer(let order):
            let line = Self.controlCommand(for: order, host: command.host).line
            for link in controls.values { link.send(line: line) }
        case .probe(let pid, let role, let port):
            probe(pid: pid, role: role, port: port)
        case .log(let message):
            logger.info("\(message)")
        case .ready(let balancers, let workers):
            Console.line("blob-cluster ready: \(frontDescription(balancers)), workers \(Self.describe(workers)), supervisor pid \(getpid())")
            systemd.notify(["READY=1", "MAINPID=\(getpid())",
                            "STATUS=serving on \(frontAddress) with \(workers.count) workers (\(command.mode) mode)"])
        case .exit(let code):
            exitCode = code
            base.stop()
        }
        return nil
    }

    private func spawn(id: Int, executable: String, arguments: [String], stdin: Int32, sharedFD: Int32? = nil) -> SupervisorEvent {
        do {
            let pid = try launcher.spawn(executable, arguments, stdinFD: stdin, sharedFD: sharedFD)
            return .spawned(childID: id, pid: pid)
        } catch {
            return .spawnFailed(childID: id, reason: "\(error)")
        }
    }

    /// One probe at a time per child; the answer comes back as `.healthy`
    /// or `.unhealthy`. A probe gives up after a second, or half the
    /// liveness interval if shorter, so probes of one worker never overlap.
    private func probe(pid: Int32, role: ChildRole, port: Int) {
        guard !probing.contains(pid) else { return }
        probing.insert(pid)
        let kind: HealthProbe.Kind = role == .worker ? .httpHealthcheck : .tcpConnect
        let timeout = min(1, command.livenessInterval.seconds / 2)
        HealthProbe(base: base, address: SocketAddress(host: command.host, port: port), kind: kind, timeout: timeout) {
            [unowned self] healthy in
            self.probing.remove(pid)
            self.feed(healthy ? .healthy(pid: pid) : .unhealthy(pid: pid))
        }
    }

    static func controlCommand(for update: BalancerUpdate, host: String) -> ControlCommand {
        switch update {
        case .add(let port): return .add(SocketAddress(host: host, port: port))
        case .drain(let port): return .drain(SocketAddress(host: host, port: port))
        case .remove(let port): return .remove(SocketAddress(host: host, port: port))
        }
    }
}
