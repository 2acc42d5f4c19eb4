import Foundation
import Testing
@testable import Orchestrator

/// How far apart `up` starts nodes: small networks at once; big new ones 10 ms apart (their
/// peers join channels only once all are up); big restarts 40 ms apart (their peers elect as
/// they come up); `FABNET_SPAWN_INTERVAL_MS` overrides both.
struct SpawnPacingTests {
    @Test func smallNetworksStartAtOnceBigOnesPacedAndRestartsSlower() throws {
        try #require(ProcessInfo.processInfo.environment["FABNET_SPAWN_INTERVAL_MS"] == nil, "the override is set in this environment")
        #expect(NetworkLauncher.spawnInterval(nodes: 20, restart: true) == .zero)
        #expect(NetworkLauncher.spawnInterval(nodes: 101, restart: false) == .milliseconds(10))
        #expect(NetworkLauncher.spawnInterval(nodes: 101, restart: true) == .milliseconds(40))
    }
}
