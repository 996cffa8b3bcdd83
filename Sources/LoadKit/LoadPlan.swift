/// One `blob-load` run: which action, how many, how hard, and how.
public struct LoadPlan: Sendable {
    public var action: LoadAction
    public var amount: Int
    public var concurrency: Int
    public var size: Int
    public var newConnectionPerRequest: Bool
    public var target: LoadTarget
    public var user: String
    public var timeout: Double
    /// How blob ids are made.
    public var ids: IDStyle
    /// The `namespace` query of every request; nil sends none (`default`).
    public var namespace: String?
    /// Each action that leaves a blob deletes it at its end.
    public var cleanUp: Bool
    /// No action starts after this many seconds (nil: run all `amount`), so
    /// a study's run is bounded in time even where the server is slow.
    public var duration: Double?
    /// An open loop: actions start when this schedule says, whatever the
    /// answers (`amount` and `duration` are then unused); nil: a closed loop.
    public var schedule: RateSchedule?
    /// In an open loop, how many due actions may wait for a free connection;
    /// one due beyond that is dropped and counted as an error.
    public var backlog: Int

    public init(action: LoadAction, amount: Int, concurrency: Int, size: Int, newConnectionPerRequest: Bool,
                target: LoadTarget, user: String, timeout: Double, ids: IDStyle = .counter, namespace: String? = nil,
                cleanUp: Bool = false, duration: Double? = nil, schedule: RateSchedule? = nil, backlog: Int = 10_000) {
        self.action = action
        self.amount = amount
        self.concurrency = concurrency
        self.size = size
        self.newConnectionPerRequest = newConnectionPerRequest
        self.target = target
        self.user = user
        self.timeout = timeout
        self.ids = ids
        self.namespace = namespace
        self.cleanUp = cleanUp
        self.duration = duration
        self.schedule = schedule
        self.backlog = backlog
    }
}
