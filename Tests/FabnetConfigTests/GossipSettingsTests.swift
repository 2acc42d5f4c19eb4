import FabnetModel
import Foundation
import Testing
@testable import FabnetConfig

/// peer.gossip settings: env > core.yaml > default, Fabric's names and defaults, clear errors.
@Suite struct GossipSettingsTests {
    let core = Fixtures.testNetwork.appendingPathComponent("core.yaml")

    @Test func defaultsWhenNothingIsGiven() throws {
        let resolved = try GossipSettingsLoader.load(coreYAML: nil as URL?, environment: [:])
        #expect(resolved.settings == .fabnetDefaults)
        #expect(resolved.source(of: "pullInterval") == .defaultValue)
    }

    @Test func fabricDefaultsMatchTheReferenceTable() {
        let fabric = GossipSettings.fabric
        #expect(fabric.propagatePeerNum == 3)
        #expect(fabric.pullInterval == .seconds(4))
        #expect(fabric.aliveExpirationTimeout == .seconds(25))
        #expect(fabric.election.leaderAliveThreshold == .seconds(10))
        #expect(fabric.state.blockBufferSize == 20)
        #expect(fabric.orgLeader && !fabric.useLeaderElection)
        #expect(fabric.membership == .fabric && GossipSettings.fabnetDefaults.membership == .swim)
        #expect(GossipSettings.keys.count == 52)
    }

    /// What `fabnet bench` writes into peer homes reads back as the settings it was made from.
    @Test(arguments: [GossipSettings.fabric, GossipSettings.fabnetDefaults, {
        var settings = GossipSettings.fabric
        settings.orgLeader = false
        settings.useLeaderElection = true
        settings.propagatePeerNum = 7
        settings.election.leaderAliveThreshold = .milliseconds(1500)
        settings.bootstrap = ["peer1.org1.example.com:7151"]
        return settings
    }()])
    func renderedSettingsLoadBack(settings: GossipSettings) throws {
        let text = GossipSettingsYAML.render(settings)
        let root = try YAMLLoader.parse(text, file: "rendered")
        let resolved = try GossipSettingsLoader.load(coreYAML: root, environment: [:])
        #expect(resolved.settings == settings, "\(text)")
        #expect(resolved.warnings.isEmpty, "\(resolved.warnings)")
    }

    @Test func coreYAMLOverridesDefaults() throws {
        let resolved = try GossipSettingsLoader.load(coreYAML: core, environment: [:])
        #expect(resolved.settings.pullInterval == .seconds(2))
        #expect(resolved.settings.propagatePeerNum == 5)
        #expect(resolved.settings.election.leaderAliveThreshold == .seconds(7))
        #expect(resolved.settings.state.batchSize == 20)
        #expect(resolved.settings.bootstrap == ["127.0.0.1:7051"])
        #expect(resolved.settings.aliveTimeInterval == GossipSettings.fabnetDefaults.aliveTimeInterval)
        guard case .coreYAML(let location) = resolved.source(of: "pullInterval") else {
            Issue.record("pullInterval should come from core.yaml")
            return
        }
        #expect(location.line == 8)
    }

    @Test func environmentOverridesCoreYAML() throws {
        let resolved = try GossipSettingsLoader.load(coreYAML: core, environment: [
            "CORE_PEER_GOSSIP_PULLINTERVAL": "3s",
            "CORE_PEER_GOSSIP_ELECTION_LEADERALIVETHRESHOLD": "9s",
            "CORE_PEER_GOSSIP_BOOTSTRAP": "127.0.0.1:7051 127.0.0.1:7052",
            "CORE_PEER_GOSSIP_STATE_ENABLED": "false",
        ])
        #expect(resolved.settings.pullInterval == .seconds(3))
        #expect(resolved.settings.election.leaderAliveThreshold == .seconds(9))
        #expect(resolved.settings.bootstrap == ["127.0.0.1:7051", "127.0.0.1:7052"])
        #expect(resolved.settings.state.enabled == false)
        #expect(resolved.settings.propagatePeerNum == 5)
        #expect(resolved.source(of: "pullInterval") == .environment("CORE_PEER_GOSSIP_PULLINTERVAL"))
    }

    @Test func environmentVariableNamesFollowFabric() {
        let names = Dictionary(uniqueKeysWithValues: GossipSettings.keys.map { ($0.name, $0.environmentVariable) })
        #expect(names["orgLeader"] == "CORE_PEER_GOSSIP_ORGLEADER")
        #expect(names["election.leaderAliveThreshold"] == "CORE_PEER_GOSSIP_ELECTION_LEADERALIVETHRESHOLD")
        #expect(names["pvtData.implicitCollectionDisseminationPolicy.maxPeerCount"]
            == "CORE_PEER_GOSSIP_PVTDATA_IMPLICITCOLLECTIONDISSEMINATIONPOLICY_MAXPEERCOUNT")
    }

    @Test func electionAndStaticLeaderTogetherIsAnErrorNamingBothKeys() throws {
        let error = try #require(throws: ConfigLoadError.self) {
            try GossipSettingsLoader.load(coreYAML: core, environment: ["CORE_PEER_GOSSIP_USELEADERELECTION": "true"])
        }
        let message = try #require(error.errors.first).description
        #expect(message.contains("peer.gossip.useLeaderElection"))
        #expect(message.contains("peer.gossip.orgLeader"))
        #expect(message.contains("$CORE_PEER_GOSSIP_USELEADERELECTION"))
    }

    @Test func badValuesNameTheirSource() throws {
        let error = try #require(throws: ConfigLoadError.self) {
            try GossipSettingsLoader.load(coreYAML: nil as URL?, environment: [
                "CORE_PEER_GOSSIP_PULLINTERVAL": "soon", "CORE_PEER_GOSSIP_PROPAGATEPEERNUM": "-2",
            ])
        }
        #expect(error.errors.count == 2)
        #expect(error.errors.contains { $0.key == "CORE_PEER_GOSSIP_PULLINTERVAL" && $0.message.contains("duration") })
        #expect(error.errors.contains { $0.key == "CORE_PEER_GOSSIP_PROPAGATEPEERNUM" })
    }

    @Test func misspelledVariableIsAWarning() throws {
        let resolved = try GossipSettingsLoader.load(coreYAML: nil as URL?, environment: ["CORE_PEER_GOSSIP_PULLINTERVALL": "1s"])
        #expect(resolved.warnings.first?.hint == "did you mean CORE_PEER_GOSSIP_PULLINTERVAL?")
    }

    @Test func zeroDurationMeansDefaultAsInFabric() throws {
        let resolved = try GossipSettingsLoader.load(coreYAML: nil as URL?, environment: ["CORE_PEER_GOSSIP_PULLINTERVAL": "0s"])
        #expect(resolved.settings.pullInterval == GossipSettings.fabnetDefaults.pullInterval)
        #expect(resolved.warnings.count == 1)
    }

    @Test func everyFabnetDifferenceIsExplained() {
        for key in GossipSettings.keys where key.value(in: .fabric) != key.value(in: .fabnetDefaults) {
            #expect(GossipSettings.fabnetDifferences[key.name] != nil, "no reason given for \(key.name)")
        }
    }
}
