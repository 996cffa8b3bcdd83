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

    public init(action: LoadAction, amount: Int, concurrency: Int, size: Int, newConnectionPerRequest: Bool,
                target: LoadTarget, user: String, timeout: Double) {
        self.action = action
        self.amount = amount
        self.concurrency = concurrency
        self.size = size
        self.newConnectionPerRequest = newConnectionPerRequest
        self.target = target
        self.user = user
        self.timeout = timeout
    }
}
