@_spi(Verification) import FabnetModel
@testable import GossipCore
import Simulator
import Testing

/// Tree push (`propagateTree`): the leader's org view is split into relay lists so each peer gets
/// one copy; a gap is pulled at once instead of at the next pull interval.
@Suite struct TreePushTests {
    var random = SeededGenerator(seed: 11)
    let peers = (1...15).map { PKIID([UInt8($0)]) }
    var endpoints: [PKIID: Endpoint] {
        Dictionary(uniqueKeysWithValues: peers.map { ($0, Endpoint(host: "p\($0.bytes[0])", port: 7051)!) })
    }

    @Test func hopsCoverEveryTargetOnceInNearEqualParts() {
        let hops = BlockDissemination.treeHops(peers, fanout: 3, endpoints: endpoints)
        #expect(hops.count == 3)
        #expect(hops.map(\.relay.count) == [4, 4, 4])
        let covered = hops.flatMap { [$0.peer] + $0.relay }
        #expect(covered.sorted() == peers.sorted())
        // Fewer targets than the fanout: one hop each, nothing to relay.
        #expect(BlockDissemination.treeHops(Array(peers.prefix(2)), fanout: 3, endpoints: endpoints).map(\.relay) == [[], []])
    }

    @Test func aPartsUnreachableHeadIsReplacedByItsNextPeer() {
        var known = endpoints
        known[peers[0]] = nil
        let hops = BlockDissemination.treeHops(Array(peers.prefix(6)), fanout: 2, endpoints: known)
        #expect(hops.map(\.peer) == [peers[1], peers[3]])
        #expect(hops[0].relay == [peers[0], peers[2]], "the unreachable peer stays in the list: its relay may know it")
    }

    /// The neighbours each peer dials ahead (`treeNeighbours`) are exactly the peers it pushes
    /// the first block to: the leader's part heads, and each head's part; other followers none.
    @Test mutating func treeNeighboursAreWhomTheFirstBlockIsPushedTo() {
        var settings = GossipSettings.fabnetDefaults
        settings.propagatePeerNum = 3
        let leader = PKIID([0])
        let allEndpoints = endpoints.merging([leader: Endpoint(host: "leader", port: 7051)!]) { a, _ in a }
        var machines: [PKIID: BlockDissemination] = [:]
        for id in [leader] + peers {
            var machine = BlockDissemination(settings: settings, height: 0)
            machine.setOrgPeers(allEndpoints.filter { $0.key != id })
            machines[id] = machine
        }
        var pushedTo: [PKIID: Set<PKIID>] = [:]
        var pending = [(from: leader, effects: machines[leader]!.handle(.fromOrderer(GossipBlock(number: 0, data: [7])), now: .zero, random: &random))]
        while let (from, effects) = pending.popLast() {
            for case let .push(block, relay, to, _) in effects {
                pushedTo[from, default: []].insert(to)
                pending.append((to, machines[to]!.handle(.received(block, from: from, relay: relay), now: .zero, random: &random)))
            }
        }
        #expect(pushedTo[leader]?.count == 4)
        for id in [leader] + peers {
            let neighbours = machines[id]!.treeNeighbours(of: id, leader: leader)
            #expect(Set(neighbours.map(\.peer)) == pushedTo[id] ?? [], "\(id)")
            #expect(neighbours.allSatisfy { allEndpoints[$0.peer] == $0.endpoint })
        }
        // Without tree push there is no fixed set to dial.
        var random = BlockDissemination(settings: GossipSettings.fabric, height: 0)
        random.setOrgPeers(allEndpoints.filter { $0.key != leader })
        #expect(random.treeNeighbours(of: leader, leader: leader).isEmpty)
    }

    /// The core asks its shell to dial the tree neighbours once the leader has led for a
    /// declaration interval, again at every pull timer, and not at all when
    /// `prepareConnections` is off.
    @Test mutating func theCoreAsksToConnectToTreeNeighboursOnce() {
        func connects(_ effects: [GossipPeer.Effect]) -> Set<PKIID> {
            Set(effects.compactMap { if case .connect(.peer(let id, _)) = $0 { return id } else { return nil } })
        }
        func peer(preparing: Bool) -> GossipPeer {
            var gossip = GossipPeer(configuration: Topology(orgs: 1, peersPerOrg: 5).configuration(0, 0), channels: ["alpha"], mode: .staticLeader, incarnation: 1)
            gossip.prepareConnections = preparing
            _ = gossip.handle(.start, now: .zero, random: &random)  // leads from here
            for index in 1..<5 {
                let id = Topology.pkiID(0, index)
                let alive = AliveMessage(pkiID: id, mspID: Topology.mspID(0), externalEndpoint: Topology.externalEndpoint(0, index),
                                         internalEndpoint: Topology.internalEndpoint(0, index), time: PeerTime(incarnation: 1, sequence: 1))
                let signer = VerifiedSigner(mspID: Topology.mspID(0), role: .peer, pkiID: id)
                _ = gossip.handle(.received(Verified(value: .membership(.alive([alive])), signer: signer), via: nil), now: .zero, random: &random)
                let info = StateInfo(pkiID: id, channelMAC: ChannelMAC(pkiID: id, channel: "alpha"), height: 0, time: PeerTime(incarnation: 1, sequence: 1))
                _ = gossip.handle(.received(Verified(value: .channel(info.channelMAC, .stateInfo(info)), signer: signer), via: nil), now: .zero, random: &random)
            }
            return gossip
        }
        var gossip = peer(preparing: true)
        let interval = GossipSettings.fabnetDefaults.election.leaderAliveThreshold / 2
        #expect(connects(gossip.handle(.timer(.pull(channel: "alpha")), now: .zero + interval / 2, random: &random)).isEmpty,
                "the leader has not led for a declaration interval yet")
        let first = connects(gossip.handle(.timer(.pull(channel: "alpha")), now: .zero + interval, random: &random))
        // A static leader of 4 peers splits them into propagatePeerNum (3) parts: 3 heads.
        #expect(first.count == 3 && first.isSubset(of: gossip.orgPeers(of: "alpha")), "\(first)")
        // Each pull timer asks again for the whole set (a dial may have failed or a connection
        // closed since; the shell ignores a connection that exists).
        #expect(connects(gossip.handle(.timer(.pull(channel: "alpha")), now: .zero + .seconds(3), random: &random)) == first)
        var quiet = peer(preparing: false)
        #expect(connects(quiet.handle(.timer(.pull(channel: "alpha")), now: .zero + .seconds(2), random: &random)).isEmpty)
    }

    /// Follows every push from the leader through each relay's own machine: each of the 15
    /// followers gets block 0 exactly once, within 2 hops (the leader splits them into ⌈√15⌉ = 4
    /// parts; each part's head sends to the rest of its part).
    @Test mutating func everyFollowerGetsOneCopyInLogHops() {
        var settings = GossipSettings.fabnetDefaults
        settings.propagatePeerNum = 3
        var machines: [PKIID: BlockDissemination] = [:]
        let leader = PKIID([0])
        let all = [leader] + peers
        let allEndpoints = endpoints.merging([leader: Endpoint(host: "leader", port: 7051)!]) { a, _ in a }
        for id in all {
            var machine = BlockDissemination(settings: settings, height: 0)
            machine.setOrgPeers(allEndpoints.filter { $0.key != id })
            machines[id] = machine
        }
        let block = GossipBlock(number: 0, data: [7])
        var copies: [PKIID: Int] = [:]
        var depth: [PKIID: Int] = [leader: 0]
        var pending = [(from: leader, effects: machines[leader]!.handle(.fromOrderer(block), now: .zero, random: &random))]
        while let (from, effects) = pending.popLast() {
            for case let .push(pushed, relay, to, _) in effects {
                copies[to, default: 0] += 1
                depth[to] = depth[from]! + 1
                pending.append((to, machines[to]!.handle(.received(pushed, from: from, relay: relay), now: .zero, random: &random)))
            }
        }
        #expect(copies.count == 15 && copies.values.allSatisfy { $0 == 1 }, "\(copies)")
        #expect(depth.values.max() == 2)
        #expect(BlockDissemination.treeFanout(15, from: nil, minimum: 3) == 4)
        #expect(BlockDissemination.treeFanout(99, from: nil, minimum: 3) == 10)
        #expect(BlockDissemination.treeFanout(4, from: leader, minimum: 3) == 4, "a relay sends to its whole list")
        #expect(all.allSatisfy { machines[$0]!.issued == 1 }, "every peer handed block 0 out for commit")
    }

    @Test mutating func aRelayForwardsEvenABlockItAlreadyHas() {
        var machine = BlockDissemination(settings: .fabnetDefaults, height: 1)  // block 0 is committed
        machine.setOrgPeers(endpoints)
        let effects = machine.handle(.received(GossipBlock(number: 0, data: [1]), from: peers[0], relay: [peers[1], peers[2]]),
                                     now: .zero, random: &random)
        let pushedTo = effects.compactMap { if case let .push(_, _, to, _) = $0 { return to } else { return nil } }
        #expect(pushedTo.sorted() == [peers[1], peers[2]])
    }

    /// The leader saw peer 2's state info, this relay has not (yet): peer 2 is in its part, so it
    /// still gets the block, at the endpoint membership knows, instead of waiting for the pull.
    @Test mutating func aRelayForwardsToAMemberItDoesNotYetSeeInTheChannel() {
        var machine = BlockDissemination(settings: .fabnetDefaults, height: 0)
        machine.setOrgPeers(endpoints.filter { $0.key != peers[2] })
        machine.setOrgMembers(endpoints)
        let effects = machine.handle(.received(GossipBlock(number: 0, data: [1]), from: peers[0], relay: [peers[2]]), now: .zero, random: &random)
        #expect(effects.contains(.push(GossipBlock(number: 0, data: [1]), relay: [], to: peers[2], endpoints[peers[2]]!)), "\(effects)")
        // Its own pushes as leader go only to peers it sees in the channel.
        var leader = BlockDissemination(settings: .fabnetDefaults, height: 0)
        leader.setOrgPeers(endpoints.filter { $0.key != peers[2] })
        leader.setOrgMembers(endpoints)
        let pushes = leader.handle(.fromOrderer(GossipBlock(number: 0, data: [1])), now: .zero, random: &random)
        let reached = pushes.flatMap { effect -> [PKIID] in
            if case let .push(_, relay, to, _) = effect { return [to] + relay }
            return []
        }
        #expect(!reached.contains(peers[2]) && !reached.isEmpty)
    }

    /// Under tree push a periodic pull round starts only when an org peer is known to hold a
    /// block this peer lacks, or a gap shows one; unknown heights and Fabric's random push
    /// pull every round.
    @Test mutating func aPeriodicPullStartsOnlyWhenAnOrgPeerIsAhead() {
        func hellos(_ effects: [BlockDissemination.Effect]) -> Int {
            effects.filter { if case .sendPull(.hello, _, _) = $0 { return true } else { return false } }.count
        }
        let settings = GossipSettings.fabnetDefaults
        var machine = BlockDissemination(settings: settings, height: 3)
        machine.setOrgPeers(endpoints)
        let next = GossipTime.zero + settings.pullInterval
        #expect(hellos(machine.handle(.pullTimer, now: .zero, random: &random)) == settings.pullPeerNum, "heights unknown: pull")
        machine.setKnownOrgHeight(3)
        let quiet = machine.handle(.pullTimer, now: .zero, random: &random)
        #expect(quiet == [.schedulePull(at: next)], "no org peer holds block 3: only the timer")
        machine.setKnownOrgHeight(4)
        #expect(hellos(machine.handle(.pullTimer, now: .zero, random: &random)) == settings.pullPeerNum, "an org peer holds block 3")
        // Block 4 came, block 3 did not: the gap counts even where no height says so yet.
        _ = machine.handle(.received(GossipBlock(number: 4, data: [4]), from: peers[0], relay: []), now: .zero, random: &random)
        machine.setKnownOrgHeight(3)
        #expect(hellos(machine.handle(.pullTimer, now: .zero, random: &random)) == settings.pullPeerNum, "a gap: pull")

        var fabric = BlockDissemination(settings: .fabric, height: 3)
        fabric.setOrgPeers(endpoints)
        fabric.setKnownOrgHeight(3)
        #expect(hellos(fabric.handle(.pullTimer, now: .zero, random: &random)) == GossipSettings.fabric.pullPeerNum, "Fabric's pull runs every round")
    }

    /// Block 1 arrives before block 0: after `digestWaitTime` the peer says hello, and requests
    /// block 0 from the first digest that offers it, without waiting for the other digests.
    @Test mutating func aGapIsPulledAtOnce() {
        let settings = GossipSettings.fabnetDefaults
        var machine = BlockDissemination(settings: settings, height: 0)
        machine.setOrgPeers(endpoints)
        let arrival = machine.handle(.received(GossipBlock(number: 1, data: [1]), from: peers[0], relay: []), now: .zero, random: &random)
        let gapCheck = GossipTime.zero + settings.digestWaitTime
        #expect(arrival.contains(.scheduleGap(at: gapCheck)))
        let round = machine.handle(.gapTimer, now: gapCheck, random: &random)
        let hellos = round.compactMap { if case let .sendPull(.hello(nonce), to, _) = $0 { return (nonce, to) } else { return nil } }
        #expect(hellos.count == settings.pullPeerNum)
        #expect(!round.contains { if case .schedulePull = $0 { return true } else { return false } }, "the periodic pull keeps its own timer")
        let (nonce, responder) = hellos[0]
        // Block 2, after the highest block here, may still be on its way: not requested.
        let request = machine.handle(.pull(.digest(nonce: nonce, numbers: [0, 1, 2]), from: responder), now: gapCheck, random: &random)
        #expect(request.contains { if case .sendPull(.request(nonce, [0]), responder, _) = $0 { return true } else { return false } })
        // A second digest offering the same block asks nobody again.
        let again = machine.handle(.pull(.digest(nonce: nonce, numbers: [0, 1]), from: hellos[1].1), now: gapCheck, random: &random)
        #expect(again.isEmpty)
        let update = machine.handle(.pull(.update(nonce: nonce, blocks: [GossipBlock(number: 0, data: [0])]), from: responder),
                                    now: gapCheck, random: &random)
        #expect(machine.issued == 2 && update.contains(.commit(GossipBlock(number: 1, data: [1]))))
        // No gap left: the next check does nothing.
        #expect(machine.handle(.gapTimer, now: gapCheck + .seconds(1), random: &random).isEmpty)
    }

    /// In a simulated org of 16, every follower receives each block once (Fabric's random push
    /// with the same fanout sends duplicates), all within 4 hops of the orderer.
    @Test func oneCopyPerPeerInASimulatedOrg() {
        func run(tree: Bool) -> SimulatedNetwork {
            var topology = Topology(orgs: 1, peersPerOrg: 16)
            topology.settings.propagateTree = tree
            var network = topology.network(seed: 4, channels: ["alpha"], mode: .dynamic)
            network.produceBlocks(channel: "alpha", count: 30, every: .milliseconds(50), size: 1024, startingAt: GossipTime.zero + .seconds(3))
            network.run(until: GossipTime.zero + .seconds(8))
            return network
        }
        let tree = run(tree: true)
        #expect(tree.violations.isEmpty, "\(tree.violations)")
        for peer in tree.peers {
            #expect(peer.commitTimes["alpha"]?.count == 30)
            #expect(peer.blocksReceived == 30, "peer \(peer.configuration.pkiID): \(peer.blocksReceived) copies of 30 blocks, \(peer.ordererDeliveries) from the orderer, \(peer.log.suffix(5))")
            #expect((peer.hops["alpha"]?.values.max() ?? 0) <= 4)
        }
        let random = run(tree: false)
        #expect(random.peers.reduce(0) { $0 + $1.blocksReceived } > 16 * 30, "random push sends duplicates")
    }
}
