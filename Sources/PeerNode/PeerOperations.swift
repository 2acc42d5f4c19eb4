import Foundation
import NIOHTTP1
import OperationsEndpoint

extension PeerService {
    /// `/healthz`, `/metrics` (Prometheus text), `/version`, `/logspec` and `/commits/<channel>`
    /// for this peer.
    public nonisolated func operationsRoutes(version: String) -> OperationsServer.Routes {
        let routes = OperationsServer.nodeRoutes(version: version, logger: logging, failedChecks: { await self.failedChecks() },
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

    /// The registry's exposition, after the gauges read off the core (alive members) are set.
    func metricsText() -> String {
        metrics.membersAlive.record(core.membership.aliveCount)
        metrics.fabricMembersAlive.record(core.membership.aliveCount)
        return registry.exposition()
    }
}
