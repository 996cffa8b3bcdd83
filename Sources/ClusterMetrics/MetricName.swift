import Prometheus

/// A metric's name and help text, declared once: every label set of a
/// family must be registered with the same help (the registry traps
/// otherwise), so the two travel together.
public struct MetricName: Sendable {
    public let name: String
    public let help: String

    public init(_ name: String, help: String) {
        self.name = name
        self.help = help
    }

    var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

extension PrometheusCollectorRegistry {
    public func counter(_ name: MetricName, _ labels: [(String, String)] = []) -> Counter {
        makeCounter(descriptor: name.descriptor, labels: labels)
    }

    public func gauge(_ name: MetricName, _ labels: [(String, String)] = []) -> Gauge {
        makeGauge(descriptor: name.descriptor, labels: labels)
    }

    public func histogram(_ name: MetricName, _ labels: [(String, String)] = [], buckets: [Double]) -> ValueHistogram {
        makeValueHistogram(descriptor: name.descriptor, labels: labels, buckets: buckets)
    }
}

/// Bucket bounds in seconds for request latencies: from a tenth of a
/// millisecond (a blob GET from the page cache) to ten seconds (a listing
/// of a huge namespace), about three per decade.
public let latencyBuckets: [Double] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]
