/// haproxy's check arithmetic for one backend: DOWN after `fall`
/// consecutive failures, UP after `rise` consecutive successes.
public struct HealthChecker: Equatable, Sendable {
    public let rise: Int
    public let fall: Int
    public private(set) var isUp: Bool
    private var streak = 0

    public init(rise: Int, fall: Int, up: Bool) {
        self.rise = rise
        self.fall = fall
        isUp = up
    }

    /// Records one check; returns the new verdict when it flips.
    public mutating func record(success: Bool) -> Bool? {
        if success == isUp {
            streak = 0
            return nil
        }
        streak += 1
        guard streak >= (isUp ? fall : rise) else { return nil }
        isUp.toggle()
        streak = 0
        return isUp
    }
}
