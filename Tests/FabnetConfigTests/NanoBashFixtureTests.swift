import FabnetModel
import Foundation
import Testing
@testable import FabnetConfig

/// Files in the shape of fabric-samples' test-network-nano-bash (configtx.yaml with its
/// crypto-config.yaml beside it, and bft-config/configtx.yaml) load unchanged: every endpoint
/// written as 127.0.0.1:port resolves to a named node, and nothing is an error.
@Suite struct NanoBashFixtureTests {
    func load() throws -> LoadedNetwork {
        // crypto-config.yaml beside configtx.yaml is discovered.
        try NetworkLoader.load(file: Fixtures.nanoBashConfigtx)
    }

    @Test func loadsWithItsCryptoConfigToTheExpectedOrgsPeersOrderersAndChannel() throws {
        let spec = try load().spec
        #expect(spec.organizations.map(\.mspID) == ["OrdererMSP", "Org1MSP", "Org2MSP"])
        #expect(spec.organizations.map(\.domain) == ["example.com", "org1.example.com", "org2.example.com"])
        #expect(spec.organization(mspID: "Org1MSP")?.mspDir == Fixtures.nanoBash
            .appendingPathComponent("crypto-config/peerOrganizations/org1.example.com/msp").standardizedFileURL.path)
        #expect(spec.peers.map(\.commonName) == [
            "peer0.org1.example.com", "peer1.org1.example.com", "peer0.org2.example.com", "peer1.org2.example.com",
        ])
        #expect(spec.peers.allSatisfy { $0.extraSANs == ["127.0.0.1"] })
        #expect(spec.orderers.map(\.commonName) == [
            "orderer.example.com", "orderer2.example.com", "orderer3.example.com", "orderer4.example.com", "orderer5.example.com",
        ])
        let channel = try #require(spec.channels.first)
        #expect(spec.channels.map(\.name) == ["mychannel"])
        #expect(channel.profile == "ChannelUsingRaft")
        #expect(channel.memberOrgs == ["Org1MSP", "Org2MSP"])
        #expect(channel.batch.absoluteMaxBytes == 99 * 1024 * 1024)
    }

    @Test func loopbackOrdererEndpointsNameTheOrderersInOrder() throws {
        let spec = try load().spec
        // 127.0.0.1:6050-6053 are orderer … orderer4; orderer5 (crypto-config only) counts on.
        #expect(spec.orderers.map(\.port) == [6050, 6051, 6052, 6053, 6054])
        #expect(spec.orderer.endpoints.first == Endpoint(host: "orderer.example.com", port: 6050))
    }

    @Test func loopbackAnchorResolvesToThePeerOnItsPort() throws {
        let spec = try load().spec
        #expect(spec.organization(mspID: "Org1MSP")?.anchorPeers == [Endpoint(host: "peer0.org1.example.com", port: 7051)!])
        #expect(spec.organization(mspID: "Org2MSP")?.anchorPeers == [Endpoint(host: "peer0.org2.example.com", port: 7055)!])
        // The anchor is the peer's own endpoint, and the org's other peers count on from it.
        #expect(spec.peers.map(\.port) == [7051, 7052, 7055, 7056])
        for org in spec.organizations where !org.peers.isEmpty {
            #expect(org.anchorPeers.allSatisfy { anchor in org.peers.contains { $0.endpoint == anchor } })
        }
    }

    @Test func onlyWarningNamesTheOtherOrderers() throws {
        let warnings = try load().warnings
        #expect(warnings.map(\.message) == [
            "several orderers (orderer2.example.com, orderer3.example.com, orderer4.example.com, orderer5.example.com): fabnet runs the first, orderer.example.com; a consenter cluster is not built yet",
        ])
        #expect(warnings.allSatisfy { $0.severity == .warning })
        // It points at the second orderer, orderer2 on the second loopback endpoint.
        let text = try String(contentsOf: Fixtures.nanoBashConfigtx, encoding: .utf8)
        #expect(warnings.first?.location?.file == Fixtures.nanoBashConfigtx.relativePath)
        #expect(warnings.first?.location?.line == line(of: "- 127.0.0.1:6051", in: text))
        #expect(warnings.first?.key == "Organizations[0].OrdererEndpoints[1]")
    }

    @Test func loopbackConsentersAreKeptAsWrittenWithTheirCertificates() throws {
        let consenters = try load().spec.orderer.consenters
        #expect(consenters.map(\.endpoint) == [6050, 6051, 6052].map { Endpoint(host: "127.0.0.1", port: $0)! })
        #expect(consenters[1].clientTLSCert == Fixtures.nanoBash
            .appendingPathComponent("crypto-config/ordererOrganizations/example.com/orderers/orderer2.example.com/tls/server.crt")
            .standardizedFileURL.path)
    }

    @Test func withoutCryptoConfigLoopbackEndpointsBecomeOrdererOrderer2AndSoOn() throws {
        let loaded = try NetworkLoader.load(file: Fixtures.nanoBashConfigtx, discoverCryptoConfig: false)
        let spec = loaded.spec
        #expect(spec.orderers.map(\.endpoint.description) == [
            "orderer.example.com:6050", "orderer2.example.com:6051", "orderer3.example.com:6052", "orderer4.example.com:6053",
        ])
        #expect(spec.peers.map(\.endpoint.description) == ["peer0.org1.example.com:7051", "peer0.org2.example.com:7055"])
        #expect(spec.organization(mspID: "Org2MSP")?.anchorPeers == [Endpoint(host: "peer0.org2.example.com", port: 7055)!])
        #expect(loaded.warnings.map(\.message) == [
            "several orderers (orderer2.example.com, orderer3.example.com, orderer4.example.com): fabnet runs the first, orderer.example.com; a consenter cluster is not built yet",
        ])
    }

    @Test func bftFileLoadsWithItsLoopbackConsenterMapping() throws {
        let loaded = try NetworkLoader.load(file: Fixtures.nanoBashBFT, cryptoConfigFiles: [Fixtures.nanoBashCryptoConfig])
        let spec = loaded.spec
        #expect(spec.orderer.type == "BFT")
        #expect(spec.orderer.consenters.map(\.endpoint.port) == [6050, 6051, 6052, 6053])
        #expect(spec.orderers.map(\.port) == [6050, 6051, 6052, 6053, 6054])
        #expect(spec.organization(mspID: "Org1MSP")?.mspDir == Fixtures.nanoBash
            .appendingPathComponent("crypto-config/peerOrganizations/org1.example.com/msp").standardizedFileURL.path)
        #expect(spec.organization(mspID: "Org1MSP")?.anchorPeers == [Endpoint(host: "peer0.org1.example.com", port: 7051)!])
        let channel = try #require(spec.channels.first)
        #expect(channel.profile == "ChannelUsingBFT")
        #expect(channel.capabilities.channel == ["V3_0"])
        #expect(loaded.warnings.count == 1, "\(loaded.warnings)")
        #expect(loaded.warnings.allSatisfy { $0.severity == .warning })
    }
}
