@_spi(Verification) import FabnetModel
@testable import GossipCore
import Simulator
import Testing

/// The contract between the core and its shells about commits, halts, served blocks and
/// connections (`GossipPeer.Event` / `GossipPeer.Effect`), effect by effect.
@Suite struct CommitContractTests {
    var random = SeededGenerator(seed: 14)
    let topology = Topology(orgs: 2, peersPerOrg: 2)
    let mate = Topology.pkiID(0, 1)

    func signer(_ org: Int, _ peer: Int) -> VerifiedSigner {
        VerifiedSigner(mspID: Topology.mspID(org), role: .peer, pkiID: Topology.pkiID(org, peer))
    }

    func message(_ inner: ChannelMessage, from org: Int = 0, _ peer: Int = 1, via: Endpoint? = nil) -> GossipPeer.Event {
        .received(Verified(value: .channel(ChannelMAC(pkiID: Topology.pkiID(org, peer), channel: "alpha"), inner), signer: signer(org, peer)),
                  via: via)
    }

    func block(_ number: UInt64, size: Int = 1) -> GossipBlock {
        GossipBlock(number: number, data: Array(repeating: UInt8(truncatingIfNeeded: number), count: size))
    }

    /// Peer (0,0) in `alpha` at `height`, started, knowing (0,1) and (1,0) alive; (0,1) is an
    /// alpha peer of its org at `mateHeight` (its state info arrived).
    mutating func peer(height: UInt64 = 0, mateHeight: UInt64 = 0) -> GossipPeer {
        var gossip = GossipPeer(configuration: topology.configuration(0, 0), channels: ["alpha"], mode: .dynamic, incarnation: 1,
                                heights: ["alpha": height])
        _ = gossip.handle(.start, now: .zero, random: &random)
        for (org, peer) in [(0, 1), (1, 0)] {
            let alive = AliveMessage(pkiID: Topology.pkiID(org, peer), mspID: Topology.mspID(org), externalEndpoint: Topology.externalEndpoint(org, peer),
                                     internalEndpoint: org == 0 ? Topology.internalEndpoint(org, peer) : nil, time: PeerTime(incarnation: 1, sequence: 1))
            _ = gossip.handle(.received(Verified(value: .membership(.alive([alive])), signer: signer(org, peer)), via: nil), now: .zero, random: &random)
        }
        let info = StateInfo(pkiID: mate, channelMAC: ChannelMAC(pkiID: mate, channel: "alpha"), height: mateHeight,
                             time: PeerTime(incarnation: 1, sequence: 1))
        _ = gossip.handle(message(.stateInfo(info)), now: .zero, random: &random)
        return gossip
    }

    func commits(_ effects: [GossipPeer.Effect]) -> [UInt64] {
        effects.compactMap { if case .commit("alpha", let block) = $0 { return block.number } else { return nil } }
    }

    func logs(_ effects: [GossipPeer.Effect]) -> [String] {
        effects.compactMap { if case .log(let line) = $0 { return line } else { return nil } }
    }

    func halts(_ effects: [GossipPeer.Effect]) -> [String] {
        effects.compactMap { if case .channelHalted("alpha", let reason) = $0 { return reason } else { return nil } }
    }

    func stateRequests(_ effects: [GossipPeer.Effect]) -> [UInt64] {
        effects.compactMap { if case .send(.channel(_, .stateRequest(_, let first, _)), _) = $0 { return first } else { return nil } }
    }

    // MARK: commit, confirm

    @Test mutating func heightStateInfoAndElectionRankWaitForTheCommitToBeConfirmed() {
        var gossip = peer()
        let effects = gossip.handle(message(.block(block(0), relay: [])), now: .zero, random: &random)
        #expect(commits(effects) == [0])
        #expect(gossip.height(of: "alpha") == 0, "not written yet: the deliver restart point stays at 0")
        #expect(gossip.nextToCommit(of: "alpha") == 1)
        #expect(gossip.states["alpha"]?.own.height == 0)
        #expect(gossip.elections["alpha"]?.height == 0)
        let published = gossip.handle(.timer(.publishStateInfo(channel: "alpha")), now: .zero, random: &random)
        let heights = published.compactMap { if case .send(.channel(_, .stateInfo(let info)), _) = $0 { return info.height } else { return nil } }
        #expect(!heights.isEmpty && heights.allSatisfy { $0 == 0 }, "published heights: \(heights)")

        let confirmed = gossip.handle(.committed(channel: "alpha", number: 0), now: .zero, random: &random)
        #expect(logs(confirmed).isEmpty && commits(confirmed).isEmpty)
        #expect(gossip.height(of: "alpha") == 1)
        #expect(gossip.states["alpha"]?.own.height == 1)
        #expect(gossip.elections["alpha"]?.height == 1)
    }

    @Test mutating func aBlockInFlightIsADuplicateAndIsNeitherPulledNorTransferredAgain() {
        var gossip = peer(mateHeight: 2)  // the mate holds blocks 0 and 1: pull rounds start
        #expect(commits(gossip.handle(message(.block(block(0), relay: [])), now: .zero, random: &random)) == [0])
        // The same block again: a duplicate, not a second commit.
        #expect(commits(gossip.handle(message(.block(block(0), relay: [])), now: .zero, random: &random)).isEmpty)
        #expect(gossip.blocks["alpha"]?.duplicates == 1)
        // A pull round: the mate offers 0 and 1; only 1 is requested.
        let hello = gossip.handle(.timer(.pull(channel: "alpha")), now: .zero, random: &random)
        guard let nonce = hello.compactMap({ effect -> UInt64? in
            if case .send(.channel(_, .pull(.hello(let nonce))), _) = effect { return nonce } else { return nil }
        }).first else {
            Issue.record("no pull hello in \(hello)")
            return
        }
        _ = gossip.handle(message(.pull(.digest(nonce: nonce, numbers: [0, 1]))), now: .zero + .milliseconds(10), random: &random)
        let requested = gossip.handle(.timer(.digestWait(channel: "alpha", nonce: nonce)), now: .zero + .milliseconds(100), random: &random)
        let numbers = requested.compactMap { if case .send(.channel(_, .pull(.request(_, let numbers))), _) = $0 { return numbers } else { return nil } }
        #expect(numbers == [[1]])
        // The mate is far ahead: state transfer asks from 1, after the block in flight.
        let info = StateInfo(pkiID: mate, channelMAC: ChannelMAC(pkiID: mate, channel: "alpha"), height: 1_000,
                             time: PeerTime(incarnation: 1, sequence: 2))
        #expect(stateRequests(gossip.handle(message(.stateInfo(info)), now: .zero + .milliseconds(200), random: &random)) == [1])
        // A block in flight is offered to pull (from the window) but not served by state transfer (not written).
        let digest = gossip.handle(message(.pull(.hello(nonce: 77))), now: .zero + .milliseconds(300), random: &random)
        #expect(digest.contains { if case .send(.channel(_, .pull(.digest(77, [0]))), _) = $0 { return true } else { return false } })
        let unserved = gossip.handle(message(.stateRequest(nonce: 5, first: 0, count: 10)), now: .zero + .milliseconds(300), random: &random)
        #expect(unserved == [.peerIsBack(mate)], "only the connection note: \(unserved)")
    }

    @Test mutating func aConfirmationOutOfOrderIsRefusedWithALogLine() {
        var gossip = peer()
        _ = gossip.handle(message(.block(block(0), relay: [])), now: .zero, random: &random)
        _ = gossip.handle(message(.block(block(1), relay: [])), now: .zero, random: &random)
        let early = gossip.handle(.committed(channel: "alpha", number: 1), now: .zero, random: &random)
        #expect(logs(early).contains { $0.contains("alpha") && $0.contains("block 1 confirmed") && $0.contains("oldest block in flight is 0") },
                "\(early)")
        #expect(gossip.height(of: "alpha") == 0)
        #expect(logs(gossip.handle(.committed(channel: "alpha", number: 0), now: .zero, random: &random)).isEmpty)
        let twice = gossip.handle(.committed(channel: "alpha", number: 0), now: .zero, random: &random)
        #expect(logs(twice).contains { $0.contains("block 0 confirmed") }, "\(twice)")
        #expect(logs(gossip.handle(.committed(channel: "alpha", number: 1), now: .zero, random: &random)).isEmpty)
        let nothingInFlight = gossip.handle(.committed(channel: "alpha", number: 2), now: .zero, random: &random)
        #expect(logs(nothingInFlight).contains { $0.contains("no block is in flight") }, "\(nothingInFlight)")
        #expect(gossip.height(of: "alpha") == 2)
        let unknown = gossip.handle(.committed(channel: "gamma", number: 0), now: .zero, random: &random)
        #expect(logs(unknown).contains { $0.contains("gamma") && $0.contains("not in") }, "\(unknown)")
    }

    // MARK: halt

    @Test mutating func aFailedCommitHaltsTheChannelAndItsHeightStaysAtTheLastWrittenBlock() {
        var gossip = peer()
        #expect(commits(gossip.handle(message(.block(block(0), relay: [])), now: .zero, random: &random)) == [0])
        _ = gossip.handle(.committed(channel: "alpha", number: 0), now: .zero, random: &random)
        #expect(commits(gossip.handle(message(.block(block(1), relay: [])), now: .zero, random: &random)) == [1])
        #expect(commits(gossip.handle(message(.block(block(2), relay: [])), now: .zero, random: &random)) == [2])

        let failed = gossip.handle(.commitFailed(channel: "alpha", number: 1, reason: "No space left on device"), now: .zero, random: &random)
        #expect(halts(failed).count == 1)
        #expect(halts(failed).allSatisfy { $0.contains("block 1") && $0.contains("No space left on device") })
        #expect(gossip.haltedChannels().keys.sorted() == ["alpha"])
        #expect(gossip.height(of: "alpha") == 1)
        #expect(gossip.states["alpha"]?.own.height == 1)
        #expect(gossip.elections["alpha"]?.mode == .standby, "a halted channel is no leader candidate")

        // Nothing more is committed: new blocks are dropped, a late confirmation is refused.
        #expect(commits(gossip.handle(message(.block(block(3), relay: [])), now: .zero, random: &random)).isEmpty)
        #expect(gossip.blocks["alpha"]?.droppedWhileHalted == 1)
        #expect(commits(gossip.handle(.blockFromOrderer(channel: "alpha", block(3)), now: .zero, random: &random)).isEmpty)
        let late = gossip.handle(.committed(channel: "alpha", number: 2), now: .zero, random: &random)
        #expect(logs(late).contains { $0.contains("halted") }, "\(late)")
        #expect(gossip.height(of: "alpha") == 1)
        // It halts once; it asks nobody for blocks any more.
        #expect(halts(gossip.handle(.commitFailed(channel: "alpha", number: 2, reason: "again"), now: .zero, random: &random)).isEmpty)
        let pull = gossip.handle(.timer(.pull(channel: "alpha")), now: .zero + .seconds(1), random: &random)
        #expect(pull == [.schedule(.pull(channel: "alpha"), at: .zero + .seconds(2))], "no hello: \(pull)")
        let info = StateInfo(pkiID: mate, channelMAC: ChannelMAC(pkiID: mate, channel: "alpha"), height: 1_000,
                             time: PeerTime(incarnation: 1, sequence: 2))
        #expect(stateRequests(gossip.handle(message(.stateInfo(info)), now: .zero + .seconds(1), random: &random)).isEmpty)
        #expect(stateRequests(gossip.handle(.timer(.stateCheck(channel: "alpha")), now: .zero + .seconds(2), random: &random)).isEmpty)
    }

    // MARK: serving blocks

    @Test mutating func aStateResponseStopsAtTheByteCap() {
        let gossip = peer()
        let megabytes = 5 << 20
        let sizes = { (number: UInt64) -> GossipBlock? in self.block(number, size: megabytes) }
        // 5 MB blocks: three fit in 16 MB, a fourth would not.
        guard case .channel(_, .stateResponse(9, let served))? = gossip.stateResponse(channel: "alpha", nonce: 9, numbers: 0..<10, read: sizes) else {
            Issue.record("no state response")
            return
        }
        #expect(GossipPeer.maximumStateResponseBytes == 16 << 20)
        #expect(served.map(\.number) == [0, 1, 2])
        // The first block goes whatever its size; an unreadable block ends the answer.
        #expect(GossipPeer.servedBlocks(4..<6, maximumBytes: 10, read: { self.block($0, size: 100) }).map(\.number) == [4])
        #expect(GossipPeer.servedBlocks(0..<5, maximumBytes: 1_000, read: { $0 == 2 ? nil : self.block($0) }).map(\.number) == [0, 1])
        // Nothing readable, or a channel this peer is not in: nothing to send.
        #expect(gossip.stateResponse(channel: "alpha", nonce: 1, numbers: 0..<5, read: { _ in nil }) == nil)
        #expect(gossip.stateResponse(channel: "gamma", nonce: 1, numbers: 0..<5, read: { self.block($0) }) == nil)
    }

    @Test mutating func requestsTheWindowAnswersAreCappedToo() {
        var gossip = peer()
        for number in 0..<3 as Range<UInt64> {
            _ = gossip.handle(message(.block(block(number, size: 10 << 20), relay: [])), now: .zero, random: &random)
            _ = gossip.handle(.committed(channel: "alpha", number: number), now: .zero, random: &random)
        }
        let answer = gossip.handle(message(.stateRequest(nonce: 3, first: 0, count: 3), from: 1, 0), now: .zero, random: &random)
        let served = answer.compactMap { if case .send(.channel(_, .stateResponse(3, let blocks)), _) = $0 { return blocks.map(\.number) } else { return nil } }
        #expect(served == [[0]], "10 MB blocks: a second would pass 16 MB")
    }

    // MARK: connections

    @Test mutating func aPeerIsBackWhenItReachesUsOnAConnectionItOpened() {
        var gossip = peer()
        let opened = gossip.handle(message(.stateInfoRequest(digest: nil)), now: .zero, random: &random)
        #expect(opened.first == .peerIsBack(mate), "said before the answer goes out: \(opened)")
        #expect(opened.filter { $0 == .peerIsBack(mate) }.count == 1)
        let dialled = gossip.handle(message(.stateInfoRequest(digest: nil), via: Topology.internalEndpoint(0, 1)), now: .zero, random: &random)
        #expect(!dialled.contains(.peerIsBack(mate)), "came back on a connection this peer dialled")
        #expect(dialled.contains { if case .send = $0 { return true } else { return false } }, "answered either way")
    }

    /// fabnet peers send only on connections they dial; the simulator delivers likewise (`via`
    /// nil), so every delivery tells the recipient its sender is back, as in the process.
    @Test func simulatedMessagesArriveOnConnectionsTheirSendersOpened() {
        var network = Topology(orgs: 2, peersPerOrg: 2).network(seed: 3, channels: ["alpha"], mode: .dynamic)
        network.run(until: GossipTime.zero + .seconds(2))
        #expect(network.delivered > 0)
        for peer in network.peers { #expect(peer.peersBack == peer.received, "peer \(peer.configuration.pkiID)") }
    }

    // MARK: the simulator's shell

    /// One peer's disk fails from block 10: it halts alpha at height 10 and publishes that
    /// height, while its org and the other org commit all 30 blocks. Peer 0 of each org leads
    /// (the lowest PKI-ID at equal heights); when the failing peer leads, it steps down and its
    /// org elects another leader.
    @Test(arguments: [2, 0])
    func aPeerWhoseCommitsFailHaltsTheChannelWhileTheOthersGoOn(failingPeer: Int) {
        let topology = Topology(orgs: 2, peersPerOrg: 3)
        var network = topology.network(seed: 8, channels: ["alpha"], mode: .dynamic)
        let failing = topology.index(0, failingPeer)
        network.failCommits(of: failing, channel: "alpha", from: 10)
        network.produceBlocks(channel: "alpha", count: 30, every: .milliseconds(50), size: 256, startingAt: GossipTime.zero + .seconds(2))
        network.run(until: GossipTime.zero + .seconds(8))
        network.checkSettled()
        #expect(network.violations.isEmpty, "\(network.violations)")
        let peer = network.peers[failing]
        #expect(peer.pulling.isEmpty, "a halted peer does not lead")
        #expect(network.leaders(of: "alpha")[Topology.mspID(0)]?.count == 1, "its org has a leader")
        #expect(peer.halted["alpha"]?.contains("block 10") == true, "\(peer.halted)")
        #expect(peer.gossip.haltedChannels()["alpha"] != nil)
        #expect(peer.height(of: "alpha") == 10)
        #expect(peer.gossip.height(of: "alpha") == 10)
        #expect(peer.gossip.states["alpha"]?.own.height == 10)
        #expect(peer.log.contains { $0.contains("halted") })
        for index in network.peers.indices where index != failing {
            #expect(network.peers[index].height(of: "alpha") == 30, "peer \(index)")
            #expect(network.peers[index].halted.isEmpty)
        }
        // Its org mates hear the height it stopped at.
        let mate = topology.index(0, failingPeer == 0 ? 1 : 0)
        #expect(network.peers[mate].gossip.channelPeerHeights("alpha")[Topology.pkiID(0, failingPeer)] == 10)
    }
}
