import Foundation
import NIOHTTP1
import OperationsEndpoint

extension OrdererService {
    /// `/healthz`, `/metrics` (Prometheus text), `/version` and `/logspec` for this orderer.
    public nonisolated func operationsRoutes(version: String) -> OperationsServer.Routes {
        OperationsServer.nodeRoutes(version: version, logger: logging, failedChecks: { [] }, metrics: { await self.metricsText() })
    }

    /// The registry's exposition, after the channels' heights are read.
    func metricsText() async -> String {
        for info in await channelInfo() { metrics.setHeight(info.height, channel: info.name) }
        if let faults = credentials.faults {
            let counts = faults.counts
            metrics.faults.update(active: !faults.plan.isEmpty, dropped: counts.dropped, delayed: counts.delayed)
        }
        return registry.exposition()
    }
}
