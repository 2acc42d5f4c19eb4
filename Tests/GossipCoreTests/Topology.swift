@_spi(Verification) import FabnetModel
import GossipCore
import Simulator

/// Simulated networks of `orgs` × `peersPerOrg` peers: peer0 of each org is its anchor; every
/// peer has an internal endpoint (`peerP.orgO.internal`) and, unless `hidden` says otherwise, an
/// external one (`peerP.orgO.example.com`).
struct Topology {
    let orgs: Int
    let peersPerOrg: Int
    var hidden: (Int, Int) -> Bool = { _, _ in false }
    /// Which orgs share a channel with which (default: all with all).
    var sharing: (Int) -> Set<Int>
    /// The org sets of the channels each org is in (default: one channel of `sharing`).
    var channelSets: ((Int) -> [Set<Int>])?
    var settings = GossipSettings.fabnetDefaults
    /// The channels of each peer (default: those passed to `network`), and each channel's orgs.
    var channelsOf: ((Int, Int) -> [String])?
    var channelOrganizations: [String: Set<String>] = [:]
    /// The election mode of each peer (default: the one passed to `network`).
    var modeOf: ((Int, Int) -> LeaderElection.Mode)?

    init(orgs: Int, peersPerOrg: Int) {
        self.orgs = orgs
        self.peersPerOrg = peersPerOrg
        sharing = { _ in Set(0..<orgs) }
    }

    static func mspID(_ org: Int) -> String { "Org\(org + 1)MSP" }
    static func pkiID(_ org: Int, _ peer: Int) -> PKIID { PKIID([UInt8(org), UInt8(peer)]) }
    static func internalEndpoint(_ org: Int, _ peer: Int) -> Endpoint { Endpoint(host: "peer\(peer).org\(org + 1).internal", port: 7051)! }
    static func externalEndpoint(_ org: Int, _ peer: Int) -> Endpoint { Endpoint(host: "peer\(peer).org\(org + 1).example.com", port: 7051)! }

    /// The anchor (peer0) bootstraps from peer1, so a restarted anchor finds its org again;
    /// the others find the anchor.
    func bootstrap(_ org: Int, _ peer: Int) -> [Endpoint] {
        peer == 0 && peersPerOrg > 1 ? [Self.internalEndpoint(org, 1)] : []
    }

    func configuration(_ org: Int, _ peer: Int) -> MembershipConfiguration {
        var anchors: [String: [Endpoint]] = [:]
        for other in 0..<orgs { anchors[Self.mspID(other)] = [Self.externalEndpoint(other, 0)] }
        return MembershipConfiguration(
            pkiID: Self.pkiID(org, peer), mspID: Self.mspID(org), internalEndpoint: Self.internalEndpoint(org, peer),
            externalEndpoint: hidden(org, peer) ? nil : Self.externalEndpoint(org, peer), bootstrap: bootstrap(org, peer),
            anchors: anchors, organizationsSharingAChannel: Set(sharing(org).map(Self.mspID)),
            channelOrganizations: channelSets.map { sets in sets(org).map { Set($0.map(Self.mspID)) } }, settings: settings)
    }

    /// A network with every peer added and started at time 0 (index = org × peersPerOrg + peer),
    /// all in `channels`, electing leaders with `mode`.
    func network(seed: UInt64 = 1, loss: Double = 0, channels: [String] = [], mode: LeaderElection.Mode = .standby) -> SimulatedNetwork {
        var network = SimulatedNetwork(options: .init(loss: loss, seed: seed))
        for org in 0..<orgs {
            for peer in 0..<peersPerOrg {
                network.start(network.addPeer(configuration(org, peer), channels: channelsOf?(org, peer) ?? channels,
                                              channelOrganizations: channelOrganizations, mode: modeOf?(org, peer) ?? mode))
            }
        }
        return network
    }

    func index(_ org: Int, _ peer: Int) -> Int { org * peersPerOrg + peer }
}

extension SimulatedNetwork {
    func aliveView(of index: Int) -> Set<PKIID> { Set(peers[index].membership.aliveMembers.map(\.alive.pkiID)) }
    func deadView(of index: Int) -> Set<PKIID> { Set(peers[index].membership.deadMembers.map(\.alive.pkiID)) }
    func knows(_ index: Int) -> Set<PKIID> { Set(peers[index].membership.members.keys) }
}
