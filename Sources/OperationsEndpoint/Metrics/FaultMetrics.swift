import CoreMetrics
import Synchronization

/// A node's `fabnet fault` figures in its metrics: `fabnet_faults_active` (1 while a fault plan
/// is in force), `fabnet_fault_packets_dropped_total` and `fabnet_fault_packets_delayed_total`.
///
/// Guarantees: the counters grow by exactly what the totals handed to `update` grew since the
/// last call (the fault switch keeps the totals; this reports them at each scrape).
public final class FaultMetrics: Sendable {
    private let active: Gauge
    private let dropped: Counter
    private let delayed: Counter
    private let reported = Mutex((dropped: 0, delayed: 0))

    public init(_ node: NodeMetrics) {
        active = node.gauge("fabnet_faults_active")
        dropped = node.counter("fabnet_fault_packets_dropped_total")
        delayed = node.counter("fabnet_fault_packets_delayed_total")
    }

    public func update(active isActive: Bool, dropped totalDropped: Int, delayed totalDelayed: Int) {
        active.record(isActive ? 1 : 0)
        let (moreDropped, moreDelayed) = reported.withLock { last -> (Int, Int) in
            defer { last = (max(last.dropped, totalDropped), max(last.delayed, totalDelayed)) }
            return (max(0, totalDropped - last.dropped), max(0, totalDelayed - last.delayed))
        }
        if moreDropped > 0 { dropped.increment(by: moreDropped) }
        if moreDelayed > 0 { delayed.increment(by: moreDelayed) }
    }
}
