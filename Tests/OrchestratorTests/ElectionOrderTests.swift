import FabnetConfig
import FabnetCrypto
import FabnetModel
import Foundation
import Testing
@testable import Orchestrator

/// `up` starts peers and has them join channels in the order their leader election ranks them
/// at one height: the orderer first, then the peers by the PKI-ID each computes for itself.
struct ElectionOrderTests {
    @Test func peersComeByTheirOwnPKIIDAfterTheOrdererAndOnesWithoutCertificatesLast() throws {
        let spec = try NetworkLoader.load(file: nil).spec
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-election-order-\(getpid())")
        try? FileManager.default.removeItem(at: root)
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try CryptoMaterialGenerator(output: root).generate(spec)
        let layout = CryptoLayout(root: root)
        var nodes: [NetworkState.Node] = []
        var expected: [(PKIID, String)] = []
        for org in spec.organizations {
            for node in org.orderers + org.peers {
                let role = node.role == .orderer ? "orderer" : "peer"
                nodes.append(NetworkState.Node(name: node.commonName, role: role, mspID: org.mspID, host: node.commonName, port: 1, grpcPort: nil, operationsPort: 2))
                guard role == "peer" else { continue }
                // As the peer computes its own PKI-ID, from its MSP folder.
                let msp = try LocalMSP.load(directory: layout.nodeDirectory(node, in: org).appendingPathComponent("msp"), mspID: org.mspID)
                expected.append((try #require(msp.signingIdentity).pkiID, node.commonName))
            }
        }
        nodes.append(NetworkState.Node(name: "stranger.example.com", role: "peer", mspID: "Org1MSP", host: "stranger.example.com", port: 1, grpcPort: nil, operationsPort: 2))
        let sorted = ElectionOrder(spec: spec, layout: layout).sorted(nodes.reversed())
        #expect(sorted.first?.role == "orderer")
        #expect(Array(sorted.dropFirst().map(\.name)) == expected.sorted { $0.0 < $1.0 }.map(\.1) + ["stranger.example.com"])
    }
}
