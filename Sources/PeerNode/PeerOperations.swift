import CoreMetrics
import Foundation
import NIOHTTP1
import OperationsEndpoint
import SwiftProtobuf

extension PeerService {
    /// `/healthz`, `/metrics` (Prometheus text), `/version`, `/logspec`, `/commits/<channel>`
    /// (`CommitsRoute`), `/connections` (the gossip connections this peer opened, for
    /// `fabnet ui`) and `/status` (`statusResponse()` as protobuf JSON) for this peer.
    public nonisolated func operationsRoutes(version: String) -> OperationsServer.Routes {
        var router = OperationsServer.nodeRouter(version: version, logger: logging, failedChecks: { await self.failedChecks() },
                                                 metrics: { await self.metricsText() })
        router.on(.GET, prefix: CommitsRoute.prefix) { request in
            // A copy of the records (copy on write: no rows are copied) so the JSON is made off the actor.
            let (records, channels) = await self.commitsSnapshot()
            return CommitsRoute.respond(to: request, records: records, channels: channels)
        }
        // The status `fabnet status` asks for as an admin over mutual TLS, for processes on this
        // host (the endpoint listens on 127.0.0.1): `up` polls every peer many times while it
        // waits, and over the admin protocol each poll was a new mutual-TLS connection and a
        // signed request for a peer that is busy starting.
        router.on(.GET, "/status") { _ in
            let status = await self.statusResponse()
            guard let json = try? status.jsonString() else { return .error(.internalServerError, "the status could not be encoded as JSON; please report this as a fabnet bug") }
            return OperationsResponse(body: json)
        }
        let connections = self.connections
        router.on(.GET, "/connections") { _ in .json(ConnectionsBody(connections: connections.currentConnections())) }
        return router.routes
    }

    func commitsSnapshot() -> (records: CommitRecords, channels: [String]) { (commitRecords, channelNames) }

    func failedChecks() -> [(component: String, reason: String)] {
        var failed = core.haltedChannels().sorted { $0.key < $1.key }.map { (component: "ledger:\($0.key)", reason: $0.value) }
        if stopped { failed.append(("gossip", "stopping")) }
        return failed
    }

    /// Adds to `counter` what `total` (a count the core keeps) grew since `reported`.
    private static func report(_ total: Int, to counter: Counter, after reported: inout Int) {
        if total > reported { counter.increment(by: total - reported) }
        reported = total
    }

    /// The registry's exposition, after the gauges read off the core (alive members) are set.
    func metricsText() -> String {
        metrics.membersAlive.record(core.membership.aliveCount)
        metrics.fabricMembersAlive.record(core.membership.aliveCount)
        Self.report(core.membership.declaredDead, to: metrics.declaredDead, after: &reportedDeaths)
        Self.report(core.membership.suspicionsRaised, to: metrics.suspicions, after: &reportedSuspicions)
        Self.report(core.membership.refutations, to: metrics.refutations, after: &reportedRefutations)
        Self.report(core.membership.stalls, to: metrics.stalls, after: &reportedStalls)
        if let faults = credentials.faults {
            let counts = faults.counts
            metrics.faults.update(active: !faults.plan.isEmpty, dropped: counts.dropped, delayed: counts.delayed)
        }
        return registry.exposition()
    }
}

/// The body of `/connections`: `{"connections": [{"endpoint": "host:port", "state": "open"}]}`.
struct ConnectionsBody: Encodable {
    let connections: [GossipConnectionSummary]
}
