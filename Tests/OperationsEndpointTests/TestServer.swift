import Foundation
import NIOCore
import OperationsEndpoint
import Testing

/// Runs `body` with an operations server for `routes` on 127.0.0.1 at a port the system chose,
/// and closes the server afterwards whatever `body` did.
func withServer<T: Sendable>(_ routes: @escaping OperationsServer.Routes, _ body: (_ port: Int) async throws -> T) async throws -> T {
    let channel = try await OperationsServer.start(port: 0, routes: routes)
    do {
        let port = try #require(OperationsServer.boundPort(of: channel))
        let result = try await body(port)
        try await channel.close().get()
        return result
    } catch {
        try? await channel.close().get()
        throw error
    }
}

/// A node's standard routes with fixed inputs.
func nodeRoutes(logger: NodeLogger? = nil, failedChecks: [(component: String, reason: String)] = [],
                metrics: String = "") -> OperationsServer.Routes {
    OperationsServer.nodeRoutes(version: "1.2.3", logger: logger, failedChecks: { failedChecks }, metrics: { metrics })
}

/// A JSON object body as a dictionary (fails the test when it is not one).
func object(_ body: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "not a JSON object: \(body)")
}
