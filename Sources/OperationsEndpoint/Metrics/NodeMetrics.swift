import CoreMetrics
import Prometheus

/// A node's metrics: swift-metrics instruments backed by one Prometheus registry per node, so
/// several nodes in one process (tests) keep their own series, and `/metrics` is the registry's
/// text exposition.
///
/// Guarantees: asking twice for the same name and labels returns instruments that update the
/// same series; every instrument is safe to update from any thread; names are written as given
/// (Fabric's names where Fabric has one, `fabnet_*` for fabnet's own series).
public struct NodeMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // Commits and appends take micro- to milliseconds: the default buckets start at 5 ms.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
        ]
        self.factory = factory
    }

    public func counter(_ name: String, _ labels: [(String, String)] = []) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: name, dimensions: labels, factory: factory)
    }

    public func gauge(_ name: String, _ labels: [(String, String)] = []) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: name, dimensions: labels, factory: factory)
    }

    /// A histogram of durations (Prometheus `_bucket`, `_sum` in seconds, `_count`).
    public func timer(_ name: String, _ labels: [(String, String)] = []) -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: name, dimensions: labels, factory: factory)
    }

    /// Prometheus' text format, version 0.0.4.
    public func exposition() -> String { registry.emitToString() }
}
