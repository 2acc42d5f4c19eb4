import Foundation
import NIOHTTP1
import OperationsEndpoint

extension PeerService {
    /// `/healthz`, `/metrics` (Prometheus text), `/version`, `/logspec` and `/commits/<channel>`
    /// (`CommitsRoute`) for this peer.
    public nonisolated func operationsRoutes(version: String) -> OperationsServer.Routes {
        var router = OperationsServer.nodeRouter(version: version, logger: logging, failedChecks: { await self.failedChecks() },
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
        var failed = core.haltedChannels().sorted { $0.key < $1.key }.map { (component: "ledger:\($0.key)", reason: $0.value) }
        if stopped { failed.append(("gossip", "stopping")) }
        return failed
    }

    /// The registry's exposition, after the gauges read off the core (alive members) are set.
    func metricsText() -> String {
        metrics.membersAlive.record(core.membership.aliveCount)
        metrics.fabricMembersAlive.record(core.membership.aliveCount)
        let deaths = core.membership.declaredDead
        if deaths > reportedDeaths { metrics.declaredDead.increment(by: deaths - reportedDeaths) }
        reportedDeaths = deaths
        let (suspicions, refutations) = (core.membership.suspicionsRaised, core.membership.refutations)
        if suspicions > reportedSuspicions { metrics.suspicions.increment(by: suspicions - reportedSuspicions) }
        if refutations > reportedRefutations { metrics.refutations.increment(by: refutations - reportedRefutations) }
        (reportedSuspicions, reportedRefutations) = (suspicions, refutations)
        return registry.exposition()
    }
}
