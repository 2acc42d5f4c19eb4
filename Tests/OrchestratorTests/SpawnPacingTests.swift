import Foundation
import Testing
@testable import Orchestrator

/// How far apart `up` starts nodes: small networks at once; big ones, new or restarted, 10 ms
/// apart (their peers join or resume channels only once all are up); `FABNET_SPAWN_INTERVAL_MS`
/// overrides it.
struct SpawnPacingTests {
    @Test func smallNetworksStartAtOnceBigOnesPaced() throws {
        try #require(ProcessInfo.processInfo.environment["FABNET_SPAWN_INTERVAL_MS"] == nil, "the override is set in this environment")
        #expect(NetworkLauncher.spawnInterval(nodes: 20) == .zero)
        #expect(NetworkLauncher.spawnInterval(nodes: 101) == .milliseconds(10))
    }
}
