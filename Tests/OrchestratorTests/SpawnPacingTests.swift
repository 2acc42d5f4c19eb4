import FabnetConfig
import FabnetModel
import Foundation
import Testing
@testable import Orchestrator

/// How far apart `up` starts nodes: small networks at once; big ones, new or restarted, 10 ms
/// apart (their peers join or resume channels only once all are up); `FABNET_SPAWN_INTERVAL_MS`
/// overrides it. Which peers start first: those the others introduce themselves to.
struct SpawnPacingTests {
    @Test func smallNetworksStartAtOnceBigOnesPaced() throws {
        try #require(ProcessInfo.processInfo.environment["FABNET_SPAWN_INTERVAL_MS"] == nil, "the override is set in this environment")
        #expect(NetworkLauncher.spawnInterval(nodes: 20) == .zero)
        #expect(NetworkLauncher.spawnInterval(nodes: 101) == .milliseconds(10))
    }

    /// Each org's first peer (the others' bootstrap) and its anchor peers start before the rest.
    @Test func theBootstrapAndAnchorPeersAreTheContactsThatStartFirst() throws {
        var spec = try NetworkLoader.load(file: nil).spec
        let org1 = try #require(spec.organizations.firstIndex { $0.mspID == "Org1MSP" })
        let second = try #require(spec.organizations[org1].peers.dropFirst().first)
        spec.organizations[org1].anchorPeers = [try #require(Endpoint(host: second.commonName, port: second.port))]
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-contacts-\(getpid())")
        let launcher = NetworkLauncher(spec: spec, options: .init(stateDirectory: root, cryptoDirectory: root, basePort: nil, timeout: 1, executable: ""))
        let firsts = spec.organizations.compactMap { $0.peers.first?.commonName }
        let anchors = spec.organizations.flatMap { org in org.anchorPeers.map(\.host) }
        #expect(launcher.contactPeers() == Set(firsts + [second.commonName]))
        #expect(Set(anchors).isSubset(of: launcher.contactPeers()))
    }
}
