import Foundation
import NIOHTTP1
import OperationsEndpoint

extension PeerService {
    /// `/healthz`, `/metrics` (Prometheus text), `/version`, `/logspec` and `/commits/<channel>`
    /// (`CommitsRoute`) for this peer.
    public nonisolated func operationsRoutes(version: String) -> OperationsServer.Routes {
        var router = OperationsServer.nodeRouter(version: version, logger: logger, failedChecks: { await self.failedChecks() },
                                                 metrics: { await self.metricsText() })
        router.on(.GET, prefix: CommitsRoute.prefix) { request in
            // A copy of the records (copy on write: no rows are copied) so the JSON is made off the actor.
            let (records, channels) = await self.commitsSnapshot()
            return CommitsRoute.respond(to: request, records: records, channels: channels)
        }
        return router.routes
    }

    func commitsSnapshot() -> (records: CommitRecords, channels: [String]) { (commitRecords, channelNames) }

    func failedChecks() -> [(component: String, reason: String)] {
        stopped ? [("gossip", "stopping")] : []
    }

    func metricsText() -> String {
        var lines: [String] = []
        func metric(_ name: String, _ help: String, _ type: String, _ values: [(labels: String, value: Int)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for (labels, value) in values { lines.append("\(name)\(labels) \(value)") }
        }
        metric("fabnet_gossip_membership_total_peers_known", "Alive peers in this peer's membership view.", "gauge",
               [("", core.membership.aliveCount)])
        metric("fabnet_gossip_leader", "1 while this peer is its org's leader of the channel.", "gauge",
               channelNames.map { (#"{channel="\#($0)"}"#, core.elections[$0]?.isLeader == true ? 1 : 0) })
        metric("fabnet_ledger_height", "Number of blocks in the channel's ledger.", "gauge",
               channelNames.map { (#"{channel="\#($0)"}"#, Int(ledgers[$0]?.height ?? 0)) })
        metric("fabnet_blocks_received_total", "Blocks received, by how they came.", "counter",
               [(#"{via="orderer"}"#, metrics.fromOrderer), (#"{via="push"}"#, metrics.byPush),
                (#"{via="pull"}"#, metrics.byPull), (#"{via="state_transfer"}"#, metrics.byStateTransfer)])
        metric("fabnet_blocks_committed_total", "Blocks committed to the ledgers.", "counter", [("", metrics.committed)])
        lines.append("# HELP fabnet_ledger_commit_seconds Time spent appending blocks to the ledgers (sum and count).")
        lines.append("# TYPE fabnet_ledger_commit_seconds summary")
        lines.append("fabnet_ledger_commit_seconds_sum \(metrics.commitSeconds)")
        lines.append("fabnet_ledger_commit_seconds_count \(metrics.committed)")
        metric("fabnet_blocks_duplicate_total", "Blocks received again after a first copy arrived.", "counter", [("", codec.repeatedBlocks)])
        let traffic = connections?.traffic ?? (bytesSent: 0, dropped: 0)
        metric("fabnet_gossip_sent_bytes_total", "Bytes of gossip frames sent.", "counter", [("", traffic.bytesSent)])
        metric("fabnet_gossip_dropped_total", "Gossip messages dropped before sending (queue full or peer unreachable).", "counter", [("", traffic.dropped)])
        metric("fabnet_gossip_received_bytes_total", "Bytes of gossip messages received.", "counter", [("", metrics.bytesReceived)])
        metric("fabnet_gossip_received_messages_total", "Gossip messages received.", "counter", [("", metrics.messagesReceived)])
        metric("fabnet_deliver_received_bytes_total", "Bytes of blocks delivered by the orderer.", "counter", [("", metrics.bytesFromOrderer)])
        metric("fabnet_gossip_refused_total", "Relayed entries or blocks dropped for a bad signature.", "counter", [("", codec.refused)])
        return lines.joined(separator: "\n") + "\n"
    }
}
