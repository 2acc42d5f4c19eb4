import FabnetModel
import Foundation
import Testing
@testable import FabnetConfig

/// A configtx.yaml + crypto-config files in the style of fabric-samples' test-network load
/// unchanged and resolve to the expected topology.
@Suite struct TestNetworkFixtureTests {
    func load() throws -> NetworkSpec {
        try NetworkLoader.load(file: Fixtures.testNetworkConfigtx, cryptoConfigFiles: Fixtures.testNetworkCryptoConfigs).spec
    }

    @Test func organizationsAndDomainsComeFromMSPDirAndCryptoConfig() throws {
        let spec = try load()
        #expect(spec.organizations.map(\.mspID) == ["OrdererMSP", "Org1MSP", "Org2MSP"])
        #expect(spec.organizations.map(\.domain) == ["example.com", "org1.example.com", "org2.example.com"])
        #expect(spec.organizations.map(\.role) == [.orderer, .peer, .peer])
    }

    @Test func mspDirIsRelativeToTheFile() throws {
        let org1 = try #require(try load().organization(mspID: "Org1MSP"))
        let expected = Fixtures.testNetwork.appendingPathComponent("organizations/peerOrganizations/org1.example.com/msp").standardizedFileURL.path
        #expect(org1.mspDir == expected)
    }

    @Test func consenterCertificatePathsAreRelativeToTheFile() throws {
        let consenter = try #require(try load().orderer.consenters.first)
        #expect(consenter.endpoint == Endpoint(host: "orderer.example.com", port: 7050))
        #expect(consenter.serverTLSCert == Fixtures.testNetwork
            .appendingPathComponent("organizations/ordererOrganizations/example.com/orderers/orderer.example.com/tls/server.crt")
            .standardizedFileURL.path)
    }

    @Test func nodesComeFromCryptoConfigTemplatesAndSpecs() throws {
        let spec = try load()
        #expect(spec.peers.map(\.commonName) == ["peer0.org1.example.com", "peer1.org1.example.com", "peer0.org2.example.com"])
        #expect(spec.orderers.map(\.endpoint.description) == ["orderer.example.com:7050"])
        // Anchor ports are used; other peers count on from the anchor.
        #expect(spec.peers.map(\.port) == [7051, 7052, 9051])
        // Template SANS are expanded.
        #expect(spec.peers[1].extraSANs == ["localhost", "peer1.local"])
    }

    @Test func usersFollowCryptoConfigCounts() throws {
        let spec = try load()
        #expect(spec.organization(mspID: "Org2MSP")?.users.map(\.commonName) == ["Admin@org2.example.com", "User1@org2.example.com", "User2@org2.example.com"])
        #expect(spec.organization(mspID: "OrdererMSP")?.users.map(\.name) == ["Admin"])
    }

    @Test func mergeInsideAListItemKeepsTheMergedOrg() throws {
        // Org2's profile entry gets its Name and ID only through `<<: *Org2`.
        let channel = try #require(try load().channels.first)
        #expect(channel.name == "mychannel")
        #expect(channel.profile == "ChannelUsingRaft")
        #expect(channel.memberOrgs == ["Org1MSP", "Org2MSP"])
        #expect(channel.ordererOrgs == ["OrdererMSP"])
    }

    @Test func capabilitiesFollowAliasesAndMerges() throws {
        let capabilities = try #require(try load().channels.first).capabilities
        #expect(capabilities == ChannelCapabilities(channel: ["V2_0"], orderer: ["V2_0"], application: ["V2_5"]))
    }

    @Test func batchSizesWithUnitsAndDurations() throws {
        let batch = try #require(try load().channels.first).batch
        #expect(batch.batchTimeout == .seconds(2))
        #expect(batch.maxMessageCount == 10)
        #expect(batch.absoluteMaxBytes == 99 * 1024 * 1024)
        #expect(batch.preferredMaxBytes == 512 * 1024)
    }

    @Test func cryptoConfigBesideTheFileIsDiscovered() throws {
        // With no crypto-config files, the same configtx still loads: one peer per org (peer0).
        let spec = try NetworkLoader.load(file: Fixtures.testNetworkConfigtx, discoverCryptoConfig: false).spec
        #expect(spec.peers.map(\.commonName) == ["peer0.org1.example.com", "peer0.org2.example.com"])
        #expect(spec.organization(mspID: "Org1MSP")?.users.map(\.name) == ["Admin", "User1"])
    }

    @Test func specEncodesAsJSON() throws {
        let data = try JSONEncoder().encode(try load())
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"batchTimeout\":\"2s\""))
        let decoded = try JSONDecoder().decode(NetworkSpec.self, from: data)
        #expect(decoded.peers.count == 3)
    }
}
