import CoreMetrics
import OperationsEndpoint
import Synchronization

/// What the orderer measures, as swift-metrics instruments on the node's registry: broadcasts
/// by status, blocks and bytes sent to deliver clients (its egress, which benchmarks read), and
/// per channel the ledger height (Fabric's `ledger_blockchain_height` and `fabnet_ledger_height`).
///
/// Guarantees: safe to update from any task; a status's or channel's series exists from its first use.
final class OrdererMetrics: Sendable {
    let node: NodeMetrics
    let deliveredBlocks: Counter
    let deliveredBytes: Counter
    /// Deliver requests served over gRPC (`orderer.AtomicBroadcast/Deliver`) that passed their checks.
    let grpcDeliveries: Counter
    /// `fabnet fault`'s figures.
    let faults: FaultMetrics
    private let statuses = Mutex<[String: Counter]>([:])

    init(_ node: NodeMetrics) {
        self.node = node
        deliveredBlocks = node.counter("fabnet_deliver_sent_blocks_total")
        deliveredBytes = node.counter("fabnet_deliver_sent_bytes_total")
        grpcDeliveries = node.counter("fabnet_grpc_deliver_requests_total")
        faults = FaultMetrics(node)
    }

    func broadcast(status: String) {
        let counter = statuses.withLock { counters in
            if let counter = counters[status] { return counter }
            let counter = node.counter("fabnet_broadcast_processed_total", [("status", status)])
            counters[status] = counter
            return counter
        }
        counter.increment()
    }

    func setHeight(_ height: UInt64, channel: String) {
        node.gauge("fabnet_ledger_height", [("channel", channel)]).record(Int64(height))
        node.gauge("ledger_blockchain_height", [("channel", channel)]).record(Int64(height))
    }
}
