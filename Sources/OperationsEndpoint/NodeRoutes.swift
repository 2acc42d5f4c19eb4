import Foundation
import NIOHTTP1

extension OperationsServer {
    /// A node's standard routes: `/healthz` from `failedChecks`, `/metrics` as Prometheus text
    /// from `metrics`, `/version` with `version`, and with a `logger` `/logspec` (GET, PUT).
    public static func nodeRoutes(version: String, logger: NodeLogger? = nil,
                                  failedChecks: @escaping @Sendable () async -> [(component: String, reason: String)],
                                  metrics: @escaping @Sendable () async -> String) -> Routes {
        nodeRouter(version: version, logger: logger, failedChecks: failedChecks, metrics: metrics).routes
    }

    /// `nodeRoutes` as a router, for nodes that add routes of their own (the peer's `/commits/`).
    public static func nodeRouter(version: String, logger: NodeLogger? = nil,
                                  failedChecks: @escaping @Sendable () async -> [(component: String, reason: String)],
                                  metrics: @escaping @Sendable () async -> String) -> OperationsRouter {
        var router = OperationsRouter()
        router.on(.GET, "/healthz") { _ in .health(failedChecks: await failedChecks()) }
        router.on(.GET, "/version") { _ in .json(VersionBody(version: version, commitSHA: "development build")) }
        router.on(.GET, "/metrics") { _ in
            OperationsResponse(contentType: "text/plain; version=0.0.4", body: await metrics())
        }
        if let logger { LogSpecRoutes.add(to: &router, logger: logger) }
        return router
    }
}

/// Fabric's `/version` body, key names as Fabric writes them.
struct VersionBody: Encodable {
    let version: String
    let commitSHA: String

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case commitSHA = "CommitSHA"
    }
}
