import Foundation
import NIOHTTP1
import OperationsEndpoint

extension OrdererService {
    /// `/healthz`, `/metrics` (Prometheus text) and `/version` for this orderer.
    public nonisolated func operationsRoutes(version: String) -> OperationsServer.Routes {
        OperationsServer.nodeRoutes(version: version, failedChecks: { [] }, metrics: { await self.metricsText() })
    }

    func metricsText() async -> String {
        var lines = [
            "# HELP fabnet_ledger_height Number of blocks in the channel's ledger.",
            "# TYPE fabnet_ledger_height gauge",
        ]
        for info in await channelInfo() { lines.append(#"fabnet_ledger_height{channel="\#(info.name)"} \#(info.height)"#) }
        lines += [
            "# HELP fabnet_broadcast_processed_total Broadcast requests answered, by status.",
            "# TYPE fabnet_broadcast_processed_total counter",
        ]
        for (status, count) in broadcastCounts.sorted(by: { $0.key < $1.key }) {
            lines.append(#"fabnet_broadcast_processed_total{status="\#(status)"} \#(count)"#)
        }
        let delivered = deliveredTraffic.total
        lines += [
            "# HELP fabnet_deliver_sent_blocks_total Blocks sent to deliver clients.",
            "# TYPE fabnet_deliver_sent_blocks_total counter",
            "fabnet_deliver_sent_blocks_total \(delivered.blocks)",
            "# HELP fabnet_deliver_sent_bytes_total Bytes of blocks sent to deliver clients (the orderer's egress).",
            "# TYPE fabnet_deliver_sent_bytes_total counter",
            "fabnet_deliver_sent_bytes_total \(delivered.bytes)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
