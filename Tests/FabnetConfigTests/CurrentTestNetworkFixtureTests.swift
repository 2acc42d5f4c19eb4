import FabnetModel
import Foundation
import Testing
@testable import FabnetConfig

/// Files in the shape of the current fabric-samples test-network (configtx/configtx.yaml with
/// the Raft profile, bft-config/configtx.yaml with the BFT one, and the three cryptogen files)
/// load unchanged: no error, the expected topology, and only the warnings a user needs.
@Suite struct CurrentTestNetworkFixtureTests {
    func loadRaft() throws -> LoadedNetwork {
        try NetworkLoader.load(file: Fixtures.currentTestNetworkConfigtx, cryptoConfigFiles: Fixtures.currentTestNetworkCryptoConfigs)
    }

    func loadBFT() throws -> LoadedNetwork {
        try NetworkLoader.load(file: Fixtures.currentTestNetworkBFT, cryptoConfigFiles: Fixtures.currentTestNetworkCryptoConfigs)
    }

    @Test func raftFileResolvesToTheTestNetworkOrgsPeersOrderersAndChannel() throws {
        let spec = try loadRaft().spec
        #expect(spec.organizations.map(\.mspID) == ["OrdererMSP", "Org1MSP", "Org2MSP"])
        #expect(spec.organizations.map(\.domain) == ["example.com", "org1.example.com", "org2.example.com"])
        #expect(spec.peers.map(\.endpoint.description) == ["peer0.org1.example.com:7051", "peer0.org2.example.com:9051"])
        #expect(spec.orderers.map(\.commonName) == ["orderer.example.com", "orderer2.example.com", "orderer3.example.com", "orderer4.example.com"])
        #expect(spec.orderer.type == "etcdraft")
        #expect(spec.orderer.consenters.map(\.endpoint) == [Endpoint(host: "orderer.example.com", port: 7050)!])
        let channel = try #require(spec.channels.first)
        #expect(spec.channels.count == 1)
        #expect(channel.name == "mychannel")
        #expect(channel.profile == "ChannelUsingRaft")
        #expect(channel.memberOrgs == ["Org1MSP", "Org2MSP"])
        #expect(channel.ordererOrgs == ["OrdererMSP"])
        #expect(channel.capabilities == ChannelCapabilities(channel: ["V2_0"], orderer: ["V2_0"], application: ["V2_5"]))
        #expect(spec.organizations.allSatisfy { $0.anchorPeers.isEmpty })
    }

    @Test func portsFabnetChoosesMakeWayInsteadOfClashing() throws {
        // orderer2-4 come from the crypto-config Specs with no port written; counted on from 7050
        // they would take peer0.org1's 7051, so they move up instead of being an error.
        let spec = try loadRaft().spec
        #expect(spec.orderers.map(\.port) == [7050, 7052, 7053, 7054])
        #expect(Set(spec.nodes.map(\.port)).count == spec.nodes.count)
    }

    @Test func raftFileHasNoErrorAndWarnsOfTheOrderersAndTheMissingAnchors() throws {
        let warnings = try loadRaft().warnings
        #expect(warnings.allSatisfy { $0.severity == .warning })
        #expect(warnings.map(\.message) == [
            "several orderers (orderer2.example.com, orderer3.example.com, orderer4.example.com): fabnet runs the first, orderer.example.com; a consenter cluster is not built yet",
            "channel mychannel: none of its peer orgs (Org1MSP, Org2MSP) has AnchorPeers, so their peers cannot find each other across orgs: each peer sees only its own org's peers (as Fabric's rules allow)",
        ])
    }

    @Test func noAnchorsWarningPointsAtTheOrgAndGivesTheFix() throws {
        let warning = try #require(try loadRaft().warnings.first { $0.message.contains("has AnchorPeers") })
        let text = try String(contentsOf: Fixtures.currentTestNetworkConfigtx, encoding: .utf8)
        #expect(warning.location?.file == Fixtures.currentTestNetworkConfigtx.relativePath)
        #expect(warning.location?.line == line(of: "- &Org1", in: text))
        #expect(warning.key == "Organizations[1].AnchorPeers")
        #expect(warning.hint == "add AnchorPeers under each org, e.g. AnchorPeers: [{Host: peer0.org1.example.com, Port: 7051}]")
    }

    @Test func severalOrderersWarningPointsAtTheSecondOrderer() throws {
        let warning = try #require(try loadRaft().warnings.first { $0.message.hasPrefix("several orderers") })
        #expect(warning.location?.file == Fixtures.currentTestNetworkCryptoConfigs[2].relativePath)
        #expect(warning.key == "OrdererOrgs[0].Specs[1]")
        #expect(warning.hint?.contains("peers and clients use orderer.example.com") == true)
    }

    @Test func bftFileResolvesWithItsConsenterMappingAndWrittenPorts() throws {
        let loaded = try loadBFT()
        let spec = loaded.spec
        #expect(spec.orderer.type == "BFT")
        #expect(spec.orderers.map(\.endpoint.description) == [
            "orderer.example.com:7050", "orderer2.example.com:7052", "orderer3.example.com:7056", "orderer4.example.com:7058",
        ])
        #expect(spec.peers.map(\.endpoint.description) == ["peer0.org1.example.com:7051", "peer0.org2.example.com:9051"])
        #expect(spec.orderer.consenters.map(\.endpoint.port) == [7050, 7052, 7056, 7058])
        #expect(spec.orderer.consenters[1].serverTLSCert == Fixtures.currentTestNetwork
            .appendingPathComponent("organizations/ordererOrganizations/example.com/orderers/orderer2.example.com/tls/server.crt")
            .standardizedFileURL.path)
        let channel = try #require(spec.channels.first)
        #expect(channel.profile == "ChannelUsingBFT")
        #expect(channel.memberOrgs == ["Org1MSP", "Org2MSP"])
        #expect(channel.capabilities.channel == ["V3_0"])
        // SmartBFT and ConsenterMapping keys are Fabric's: no unknown-key warning.
        #expect(loaded.warnings.count == 2, "\(loaded.warnings)")
        #expect(loaded.warnings.allSatisfy { $0.severity == .warning })
    }

    @Test func severalOrderersWarningOfTheBFTFilePointsAtItsEndpoint() throws {
        let warning = try #require(try loadBFT().warnings.first { $0.message.hasPrefix("several orderers") })
        let text = try String(contentsOf: Fixtures.currentTestNetworkBFT, encoding: .utf8)
        #expect(warning.location?.line == line(of: "- orderer2.example.com:7052", in: text))
        #expect(warning.key == "Organizations[0].OrdererEndpoints[1]")
    }

    @Test func usersFollowTheCryptoConfigCounts() throws {
        let spec = try loadRaft().spec
        #expect(spec.organization(mspID: "Org1MSP")?.users.map(\.commonName) == ["Admin@org1.example.com", "User1@org1.example.com"])
        #expect(spec.organization(mspID: "OrdererMSP")?.users.map(\.name) == ["Admin"])
    }
}
