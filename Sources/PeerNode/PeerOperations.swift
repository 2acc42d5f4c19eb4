import Foundation
import NIOHTTP1
import OperationsEndpoint

extension PeerService {
    /// `/healthz`, `/metrics` (Prometheus text) and `/version` for this peer.
    public nonisolated func operationsRoutes(version: String) -> OperationsServer.Routes {
        let routes = OperationsServer.nodeRoutes(version: version, logger: logger, failedChecks: { await self.failedChecks() },
                                                 metrics: { await self.metricsText() })
        return { method, path, body in
            // `/commits/<channel>[?from=N]`: each block's cut and commit time (benchmarks).
            if method == .GET, path.hasPrefix("/commits/") {
                let parts = path.dropFirst("/commits/".count).split(separator: "?", maxSplits: 1)
                let channel = parts.first.map(String.init) ?? ""
                let from = parts.count > 1 ? parts[1].split(separator: "&").compactMap { pair -> UInt64? in
                    pair.hasPrefix("from=") ? UInt64(pair.dropFirst(5)) : nil
                }.first ?? 0 : 0
                guard await self.channelNames.contains(channel) else {
                    return OperationsResponse(status: .notFound, body: #"{"Error":"no channel '\#(channel)' on this peer"}"#)
                }
                return OperationsResponse(body: await self.commitRecords.json(channel: channel, from: from))
            }
            return await routes(method, path, body)
        }
    }

    func failedChecks() -> [(component: String, reason: String)] {
        var failed = core.haltedChannels().sorted { $0.key < $1.key }.map { (component: "ledger:\($0.key)", reason: $0.value) }
        if stopped { failed.append(("gossip", "stopping")) }
        return failed
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
        metric("fabnet_ledger_commit_failures_total", "Blocks not written (after a retry); each halts its channel.", "counter", [("", metrics.commitFailures)])
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
