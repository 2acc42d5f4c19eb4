import FabnetModel
import Foundation
import Testing
@testable import FabnetConfig

/// Anchor peers written as a loopback address name a peer by its port; ports fabnet chooses
/// make way for written ones; several orderers and anchor-less channels are warnings only.
@Suite struct AnchorAndPortResolutionTests {
    static let peer0Anchor = "      - Host: peer0.org1.example.com\n        Port: 7051"

    func load(_ yaml: String) throws -> LoadedNetwork {
        try NetworkLoader.load(text: yaml, file: "net.yaml", directory: URL(fileURLWithPath: "/tmp/fabnet-test"))
    }

    func anchors(_ loaded: LoadedNetwork) -> [String] {
        loaded.spec.organization(mspID: "Org1MSP")?.anchorPeers.map(\.description) ?? []
    }

    @Test func loopbackAnchorNamesThePeerOnThatPortWhenPortsAreWritten() throws {
        // Peers.Port 7051 puts peer1 on 7052.
        let loaded = try load(minimalNetwork.replacingOccurrences(of: Self.peer0Anchor, with: "      - Host: 127.0.0.1\n        Port: 7052"))
        #expect(anchors(loaded) == ["peer1.org1.example.com:7052"])
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
    }

    @Test func localhostAnchorIsALoopbackAnchorToo() throws {
        let loaded = try load(minimalNetwork.replacingOccurrences(of: Self.peer0Anchor, with: "      - Host: localhost\n        Port: 7051"))
        #expect(anchors(loaded) == ["peer0.org1.example.com:7051"])
    }

    @Test func loopbackAnchorOnAPortNoPeerHasIsAnErrorListingThePeersPorts() throws {
        let yaml = minimalNetwork.replacingOccurrences(of: Self.peer0Anchor, with: "      - Host: 127.0.0.1\n        Port: 7060")
        let error = try #require(issues(of: yaml).first { $0.severity == .error })
        #expect(error.message == "anchor peer 127.0.0.1:7060 is not a peer of Org1MSP: none of its peers is on port 7060 (its peers: peer0.org1.example.com:7051, peer1.org1.example.com:7052)")
        #expect(error.location?.line == line(of: "Host: 127.0.0.1", in: yaml))
        #expect(error.hint == "write the port of one of its peers, or name the peer (Host: peer0.org1.example.com, Port: 7051)")
    }

    @Test func loopbackAnchorsWithoutOtherPortsNameThePeersInOrder() throws {
        let yaml = minimalNetwork
            .replacingOccurrences(of: "      Count: 2\n      Port: 7051\n", with: "      Count: 2\n")
            .replacingOccurrences(of: Self.peer0Anchor, with: "      - Host: 127.0.0.1\n        Port: 8051\n      - Host: 127.0.0.1\n        Port: 8061")
        let loaded = try load(yaml)
        #expect(anchors(loaded) == ["peer0.org1.example.com:8051", "peer1.org1.example.com:8061"])
        #expect(loaded.spec.peers.map(\.port) == [8051, 8061])
    }

    @Test func moreLoopbackAnchorsThanPeersIsAnError() throws {
        let yaml = minimalNetwork
            .replacingOccurrences(of: "      Count: 2\n      Port: 7051\n", with: "      Count: 1\n")
            .replacingOccurrences(of: Self.peer0Anchor, with: "      - Host: 127.0.0.1\n        Port: 8051\n      - Host: 127.0.0.1\n        Port: 8052")
        let error = try #require(issues(of: yaml).first { $0.severity == .error })
        #expect(error.message.hasPrefix("anchor peer 127.0.0.1:8052 names no peer of Org1MSP"))
        #expect(error.location?.line == line(of: "Port: 8052", in: yaml).map { $0 - 1 })
    }

    @Test func aChosenPortMakesWayForAWrittenOne() throws {
        // No peer port is written, so peer0 would get 7051, which the orderer's endpoint writes.
        let yaml = minimalNetwork
            .replacingOccurrences(of: "      Count: 2\n      Port: 7051\n", with: "      Count: 2\n")
            .replacingOccurrences(of: "    AnchorPeers:\n" + Self.peer0Anchor + "\n", with: "")
            .replacingOccurrences(of: "orderer.example.com:7050", with: "orderer.example.com:7051")
        let loaded = try load(yaml)
        #expect(loaded.spec.orderers.map(\.port) == [7051])
        #expect(loaded.spec.peers.map(\.port) == [7052, 7053])
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
    }

    @Test func severalOrderersIsAWarningNamingTheOthersAndKeepsThemAllInOrder() throws {
        let yaml = minimalNetwork.replacingOccurrences(
            of: "      - orderer.example.com:7050\n",
            with: "      - orderer.example.com:7050\n      - orderer2.example.com:8050\n      - orderer3.example.com:9050\n")
        let loaded = try load(yaml)
        #expect(loaded.spec.orderers.map(\.endpoint.description) == ["orderer.example.com:7050", "orderer2.example.com:8050", "orderer3.example.com:9050"])
        #expect(loaded.spec.orderer.endpoints.map(\.description) == loaded.spec.orderers.map(\.endpoint.description))
        let warning = try #require(loaded.warnings.first)
        #expect(loaded.warnings.count == 1)
        #expect(warning.severity == .warning)
        #expect(warning.message == "several orderers (orderer2.example.com, orderer3.example.com): fabnet runs the first, orderer.example.com; a consenter cluster is not built yet")
        #expect(warning.location?.line == line(of: "orderer2.example.com:8050", in: yaml))
        #expect(warning.key == "Organizations[0].OrdererEndpoints[1]")
    }

    // MARK: orgs that cannot find each other

    static func twoOrgs(org1Anchors: Bool, org2Anchors: Bool) -> String {
        let org2 = """
          - &Org2
            Name: Org2MSP
            ID: Org2MSP
            Domain: org2.example.com
        \(org2Anchors ? "    AnchorPeers:\n      - Host: peer0.org2.example.com\n        Port: 9051\n" : "")
        """
        var yaml = minimalNetwork.replacingOccurrences(of: "Orderer: &OrdererDefaults", with: org2 + "Orderer: &OrdererDefaults")
            .replacingOccurrences(of: "        - *Org1", with: "        - *Org1\n        - *Org2")
        if !org1Anchors { yaml = yaml.replacingOccurrences(of: "    AnchorPeers:\n" + peer0Anchor + "\n", with: "") }
        return yaml
    }

    @Test func channelWhosePeerOrgsHaveNoAnchorPeersIsWarnedWithAFix() throws {
        let yaml = Self.twoOrgs(org1Anchors: false, org2Anchors: false)
        let loaded = try load(yaml)
        let warning = try #require(loaded.warnings.first { $0.message.contains("cannot find each other") }, "\(loaded.warnings)")
        #expect(warning.severity == .warning)
        #expect(warning.message == "channel mychannel: none of its peer orgs (Org1MSP, Org2MSP) has AnchorPeers, so their peers cannot find each other across orgs: each peer sees only its own org's peers (as Fabric's rules allow)")
        #expect(warning.hint == "add AnchorPeers under each org, e.g. AnchorPeers: [{Host: peer0.org1.example.com, Port: 7051}]")
        #expect(warning.location?.line == line(of: "- &Org1", in: yaml))
        #expect(loaded.warnings.count == 1, "\(loaded.warnings)")
    }

    @Test func oneOrgWithAnchorPeersIsEnoughForNoWarning() throws {
        let loaded = try load(Self.twoOrgs(org1Anchors: false, org2Anchors: true))
        #expect(!loaded.warnings.contains { $0.message.contains("cannot find each other") }, "\(loaded.warnings)")
    }

    @Test func channelWithOnePeerOrgIsNotWarned() throws {
        let yaml = minimalNetwork.replacingOccurrences(of: "    AnchorPeers:\n" + Self.peer0Anchor + "\n", with: "")
        let loaded = try load(yaml)
        #expect(loaded.spec.organization(mspID: "Org1MSP")?.anchorPeers.isEmpty == true)
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
    }

    @Test func defaultNetworkHasNoAnchorOrOrdererWarning() throws {
        let loaded = try NetworkLoader.load(file: nil)
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        #expect(loaded.spec.organizations.filter { !$0.peers.isEmpty }.allSatisfy { !$0.anchorPeers.isEmpty })
    }
}
