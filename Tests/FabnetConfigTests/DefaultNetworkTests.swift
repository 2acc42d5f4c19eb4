import FabnetModel
import Foundation
import Testing
@testable import FabnetConfig

/// The embedded default network is the shipped configtx/configtx.yaml and has the promised shape.
@Suite struct DefaultNetworkTests {
    @Test func embeddedTextIsTheShippedFile() throws {
        let shipped = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("configtx/configtx.yaml"), encoding: .utf8)
        #expect(shipped == DefaultNetwork.configtx)
    }

    @Test func shape() throws {
        let loaded = try NetworkLoader.load(file: nil)
        #expect(loaded.warnings.isEmpty)
        let spec = loaded.spec
        #expect(spec.orderers.map(\.endpoint.description) == ["orderer.example.com:7050"])
        #expect(spec.peers.map(\.endpoint.description) == [
            "peer0.org1.example.com:7051", "peer1.org1.example.com:7052",
            "peer0.org2.example.com:9051", "peer1.org2.example.com:9052",
        ])
        #expect(spec.organizations.map(\.anchorPeers.count) == [0, 1, 1])
        #expect(spec.channels.map(\.name) == ["mychannel"])
        #expect(spec.channels.first?.memberOrgs == ["Org1MSP", "Org2MSP"])
        #expect(spec.organizations.allSatisfy { $0.enableNodeOUs })
    }

    @Test func shippedFileLoadsFromDisk() throws {
        let spec = try NetworkLoader.load(file: Fixtures.repositoryRoot.appendingPathComponent("configtx/configtx.yaml")).spec
        #expect(spec.nodes.count == 5)
        #expect(spec.organization(mspID: "Org1MSP")?.mspDir ==
            Fixtures.repositoryRoot.appendingPathComponent("crypto-config/peerOrganizations/org1.example.com/msp").standardizedFileURL.path)
    }

    @Test func minimalSingleFileNetworkLoads() {
        #expect(issues(of: minimalNetwork).isEmpty)
    }

    @Test func singleFileFormWithoutChannelsUsesTheFirstApplicationProfile() throws {
        let loaded = try NetworkLoader.load(text: minimalNetwork, file: "net.yaml", directory: URL(fileURLWithPath: "/tmp"))
        #expect(loaded.spec.channels.map(\.name) == ["mychannel"])
        #expect(loaded.spec.channels.first?.profile == "Chan")
        #expect(loaded.spec.peers.map(\.port) == [7051, 7052])
    }
}
