/// A latency histogram family counted on the loop without a lock, written
/// in the text format at each scrape after the registry's families.
/// swift-prometheus's Histogram takes a mutex and walks every bucket on
/// each observation: about 400 instructions, 5% of a `GET /`. Here an
/// observation is a short scan and two additions; buckets are made
/// cumulative only when written. Used on one thread (the loop's).
public final class LatencyHistogram {
    public let name: MetricName
    public let labelName: String
    public let labelValues: [String]
    public let bounds: [Double]
    /// Per label value: a count per bucket (not cumulative), and +Inf last.
    private var counts: [Int]
    private var sums: [Double]

    public init(_ name: MetricName, label labelName: String, values labelValues: [String], bounds: [Double] = latencyBuckets) {
        precondition(!labelValues.isEmpty && !bounds.isEmpty && bounds == bounds.sorted())
        self.name = name
        self.labelName = labelName
        self.labelValues = labelValues
        self.bounds = bounds
        counts = Array(repeating: 0, count: labelValues.count * (bounds.count + 1))
        sums = Array(repeating: 0, count: labelValues.count)
    }

    /// One observation of `seconds` under label value number `index`.
    @inline(__always)
    public func record(_ seconds: Double, at index: Int) {
        var bucket = 0
        while bucket < bounds.count && seconds > bounds[bucket] { bucket += 1 }
        counts[index * (bounds.count + 1) + bucket] &+= 1
        sums[index] += seconds
    }

    /// The family in the text format: HELP, TYPE, then per label value the
    /// cumulative `_bucket` lines, `+Inf`, `_sum` and `_count`.
    public func write(into text: inout [UInt8]) {
        let name = self.name.name
        text.append(contentsOf: "# HELP \(name) \(self.name.help)\n# TYPE \(name) histogram\n".utf8)
        for (index, value) in labelValues.enumerated() {
            let label = "\(labelName)=\"\(value)\""
            var cumulative = 0
            let start = index * (bounds.count + 1)
            for (bucket, bound) in bounds.enumerated() {
                cumulative += counts[start + bucket]
                text.append(contentsOf: "\(name)_bucket{\(label),le=\"\(bound)\"} \(cumulative)\n".utf8)
            }
            cumulative += counts[start + bounds.count]
            text.append(contentsOf: "\(name)_bucket{\(label),le=\"+Inf\"} \(cumulative)\n".utf8)
            text.append(contentsOf: "\(name)_sum{\(label)} \(sums[index])\n\(name)_count{\(label)} \(cumulative)\n".utf8)
        }
    }
}
