import FabnetConfig
import FabnetCrypto
import FabnetModel
import Foundation

/// The order in which `up` starts peers and has them join channels: the rank their org's leader
/// election gives peers at one ledger height, lowest PKI-ID first (`LeaderElection.ranksHigher`;
/// every peer of a new or restarted network is at one height). The peer that will lead its org
/// starts and joins first, so the others find it leading; in manifest order, each newcomer that
/// outranked the leader took over, and a 100-peer start had 25–40 leaders for a moment, each
/// declaring to its whole org and pulling from the orderer.
///
/// Guarantees: a stable sort (peers whose PKI-ID cannot be read, their certificate missing, keep
/// their manifest order after the others); the orderer, or any node not a peer of the
/// description, is not reordered among the peers and goes first.
struct ElectionOrder: Sendable {
    /// Each peer's PKI-ID by node name, as the peer computes its own (`SigningIdentity.pkiID`:
    /// its MSP ID and its enrollment certificate's PEM text), without loading its key.
    let pkiIDs: [String: PKIID]

    init(spec: NetworkSpec, layout: CryptoLayout) {
        var pkiIDs: [String: PKIID] = [:]
        for org in spec.organizations {
            for peer in org.peers {
                let msp = layout.nodeDirectory(peer, in: org).appendingPathComponent("msp")
                guard let pem = LocalMSP.signingCertificates(in: msp).first else { continue }
                pkiIDs[peer.commonName] = PKIIDs.make(mspID: org.mspID, certificate: Data(pem.utf8))
            }
        }
        self.pkiIDs = pkiIDs
    }

    /// `nodes` with the peers in election order after every other node, each group stable.
    func sorted(_ nodes: [NetworkState.Node]) -> [NetworkState.Node] {
        let others = nodes.filter { $0.role != "peer" }
        let peers = nodes.enumerated().filter { $0.element.role == "peer" }
        return others + peers.sorted { a, b in
            switch (pkiIDs[a.element.name], pkiIDs[b.element.name]) {
            case let (x?, y?): return x != y ? x < y : a.offset < b.offset
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a.offset < b.offset
            }
        }.map(\.element)
    }
}
