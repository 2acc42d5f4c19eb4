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
        return lines.joined(separator: "\n") + "\n"
    }
}
