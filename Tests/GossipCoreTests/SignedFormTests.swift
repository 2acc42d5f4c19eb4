@_spi(Verification) import FabnetModel
@testable import GossipCore
import Testing

/// The signed forms relaying needs live in the core's tables (`SignedForm`): kept with the value,
/// replaced with a newer one, and dropped when membership purges the member.
@Suite struct SignedFormTests {
    var random = SeededGenerator(seed: 3)
    /// Fabric's membership: a silent member expires (SWIM's deaths are tested in `SwimMembershipTests`).
    let topology = {
        var topology = Topology(orgs: 1, peersPerOrg: 3)
        topology.settings.membership = .fabric
        return topology
    }()
    /// Not a bootstrap or anchor endpoint of peer (0,0), so membership may purge it.
    let mate = Topology.pkiID(0, 2)

    func received(_ message: GossipMessage) -> GossipPeer.Event {
        .received(Verified(value: message, signer: VerifiedSigner(mspID: Topology.mspID(0), role: .peer, pkiID: mate)), via: nil)
    }

    func alive(sequence: UInt64, signed: [UInt8]) -> AliveMessage {
        AliveMessage(pkiID: mate, mspID: Topology.mspID(0), externalEndpoint: Topology.externalEndpoint(0, 2),
                     internalEndpoint: Topology.internalEndpoint(0, 2), time: PeerTime(incarnation: 1, sequence: sequence), signed: SignedForm(signed))
    }

    func info(sequence: UInt64, signed: [UInt8]) -> StateInfo {
        StateInfo(pkiID: mate, channelMAC: ChannelMAC(pkiID: mate, channel: "alpha"), height: sequence,
                  time: PeerTime(incarnation: 1, sequence: sequence), signed: SignedForm(signed))
    }

    @Test mutating func theCoreKeepsTheNewestSignedFormAndForgetsItWithThePurgedMember() {
        var gossip = GossipPeer(configuration: topology.configuration(0, 0), channels: ["alpha"], mode: .dynamic, incarnation: 1)
        _ = gossip.handle(.start, now: .zero, random: &random)
        _ = gossip.handle(received(.membership(.alive([alive(sequence: 1, signed: [1])]))), now: .zero, random: &random)
        _ = gossip.handle(received(.channel(ChannelMAC(pkiID: mate, channel: "alpha"), .stateInfo(info(sequence: 1, signed: [2])))),
                          now: .zero, random: &random)
        #expect(gossip.membership.members[mate]?.alive.signed.bytes == [1])
        #expect(gossip.states["alpha"]?.infos[mate]?.signed.bytes == [2])
        // A newer copy brings its own signature; an equal one does not replace it.
        _ = gossip.handle(received(.membership(.alive([alive(sequence: 2, signed: [3])]))), now: .zero, random: &random)
        _ = gossip.handle(received(.membership(.alive([alive(sequence: 2, signed: [4])]))), now: .zero, random: &random)
        #expect(gossip.membership.members[mate]?.alive.signed.bytes == [3])
        // Silent past expiration (dead), then past the purge time: the member and its state info go.
        let settings = gossip.configuration.settings
        var now = GossipTime.zero + settings.aliveExpirationTimeout + .seconds(1)
        _ = gossip.handle(.timer(.membership(.heartbeat)), now: now, random: &random)
        #expect(gossip.membership.members[mate]?.isAlive == false)
        #expect(gossip.states["alpha"]?.infos[mate] != nil)
        now = now + settings.aliveExpirationTimeout * settings.msgExpirationFactor + .seconds(1)
        let effects = gossip.handle(.timer(.membership(.heartbeat)), now: now, random: &random)
        #expect(gossip.membership.members[mate] == nil)
        #expect(gossip.states["alpha"]?.infos[mate] == nil)
        #expect(!gossip.orgPeers(of: "alpha").contains(mate))
        #expect(!effects.isEmpty)
    }
}
