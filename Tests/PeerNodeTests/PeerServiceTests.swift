@_spi(Verification) import FabnetModel
import FabnetWire
import FabricWire
import Foundation
import GossipCore
import Logging
import OperationsEndpoint
import SwiftProtobuf
import ServiceLifecycle
import Testing
@testable import PeerNode

/// The peer service's shell on fakes (in-memory transport, fake orderer, manual clock): what it
/// sends, when its timers fire, what it commits, and what it shows on `/healthz` and `/metrics`.
@Suite struct PeerServiceTests {
    /// Advances the manual clock in `step`s until `condition` holds, for at most `limit` of
    /// virtual time; after each step the service gets a moment (real time, polled) to act on
    /// the timers that came due.
    func drive(_ fixture: PeerFixture, until what: String, step: Duration = .milliseconds(10), limit: Duration = .seconds(5),
               _ condition: () async throws -> Bool) async throws {
        let end = fixture.clock.now + limit
        while try await !condition() {
            guard fixture.clock.now < end else { throw FakeError("\(what) did not happen within \(limit) of the manual clock") }
            fixture.clock.advance(by: step)
            try await Task.sleep(for: .milliseconds(2))  // a poll interval: the loop waits on `condition`
        }
    }

    static func isMembershipRequest(_ message: WireGossipMessage) -> Bool {
        if case .membershipRequest? = message.content { return true } else { return false }
    }

    /// The numbers of the blocks pushed in `messages`.
    static func pushedBlocks(_ messages: [WireGossipMessage]) -> [UInt64] {
        messages.compactMap { message in
            guard case .channel(let channel)? = message.content, case .block(let payload)? = channel.content else { return nil }
            return payload.seqNum
        }
    }

    // MARK: start and timers

    /// It asks its bootstrap peer for its view and introduces itself to the other org's anchor
    /// with a ping carrying its alive message (the anchor's view is asked for once the first
    /// answer came: `Membership.stagedIntroductions`).
    @Test func onStartItArmsItsTimersAndIntroducesItselfToItsBootstrapPeerAndTheOtherOrgsAnchor() async throws {
        let fixture = try await PeerFixture()
        defer { fixture.remove() }
        let settings = await fixture.service.core.configuration.settings
        func isIntroduction(_ message: WireGossipMessage) -> Bool {
            if case .probe(let probe)? = message.content { return probe.kind == .ping && probe.nonce == 0 && probe.hasSender }
            return false
        }
        try await running(fixture) {
            try await eventually("a membership request to peer1.org1 and an introduction to peer0.org2") {
                fixture.transport.messages(to: PeerFixture.bootstrap).contains(where: Self.isMembershipRequest)
                    && fixture.transport.messages(to: PeerFixture.org2Anchor).contains(where: isIntroduction)
            }
            let ownID = await fixture.service.core.configuration.pkiID
            for endpoint in [PeerFixture.bootstrap, PeerFixture.org2Anchor] {
                let sent = try #require(fixture.transport.sent.first { $0.endpoint == endpoint })
                #expect(sent.expecting == nil, "a contact's PKI-ID is not known before it answers")
                let content = sent.packet.gossipMessage.content
                let payload: Data
                switch content {
                case .membershipRequest(let request)? where endpoint == PeerFixture.bootstrap: payload = request.selfInformation.payload
                case .probe(let probe)? where endpoint == PeerFixture.org2Anchor: payload = probe.sender.payload
                default:
                    Issue.record("not the expected introduction to \(endpoint): \(String(describing: content))")
                    continue
                }
                let alive = try WireAliveMessage(serializedBytes: payload)
                #expect(PKIID(Array(alive.pkiID)) == ownID, "it introduces itself")
            }
            #expect(fixture.transport.messages(to: PeerFixture.endpoint).isEmpty, "its own anchor entry is not dialled")
            // Membership pull and reconnect, and the channel's state info, wait on the manual clock.
            try await eventually("the timers armed at start") {
                let armed = Set(fixture.clock.deadlines)
                return armed.contains(settings.pullInterval) && armed.contains(settings.reconnectInterval)
                    && armed.contains(settings.publishStateInfoInterval)
            }
            #expect(fixture.clock.now == .zero, "nothing moved the clock")
        }
    }

    @Test func aTimerFiresOnlyOnceTheClockPassesItAndNeverAfterRunEnded() async throws {
        let fixture = try await PeerFixture()
        defer { fixture.remove() }
        let reconnect = await fixture.service.core.configuration.settings.reconnectInterval
        let group = ServiceGroup(services: [fixture.service], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }
        let requests = { fixture.transport.messages(to: PeerFixture.bootstrap).filter(Self.isMembershipRequest).count }
        try await eventually("the first membership request") { requests() == 1 }
        try await eventually("the reconnect timer") { fixture.clock.deadlines.contains(reconnect) }

        // Just before: the reconnect timer still waits (the bootstrap peer never answered).
        fixture.clock.advance(to: reconnect - .milliseconds(1))
        #expect(fixture.clock.deadlines.contains(reconnect))
        #expect(requests() == 1)
        // At its time it fires: the bootstrap peer is asked again, and the next reconnect is armed.
        fixture.clock.advance(to: reconnect)
        try await eventually("the second membership request") { requests() == 2 }
        try await eventually("the next reconnect timer") { fixture.clock.deadlines.contains(reconnect * 2) }

        // Graceful shutdown: run() ends, and with it every timer.
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(fixture.clock.deadlines.isEmpty, "a timer still waits after run() returned: \(fixture.clock.deadlines)")
        #expect(fixture.transport.closeAllCalls == 1)
        let sentAtStop = fixture.transport.sent.count
        fixture.clock.advance(by: reconnect * 3)
        #expect(fixture.clock.deadlines.isEmpty)
        #expect(fixture.transport.sent.count == sentAtStop)
        #expect(await fixture.service.failedChecks().map(\.component) == ["gossip"], "a stopped peer says so on /healthz")
    }

    /// `GET /status` on the operations endpoint (what `up` polls while it waits) answers what
    /// the admin command `peerStatus` answers, as protobuf JSON.
    @Test func theStatusRouteAnswersThePeerStatusAsJSON() async throws {
        let fixture = try await PeerFixture()
        defer { fixture.remove() }
        let routes = fixture.service.operationsRoutes(version: "test")
        let response = await routes(try OperationsRequest(method: .GET, uri: "/status"))
        #expect(response.status == .ok)
        #expect(response.contentType == "application/json")
        let status = try WireAdminResponse(jsonString: response.body)
        let expected = await fixture.service.statusResponse()
        #expect(status == expected)
        #expect(status.status == .success)
        #expect(status.channels.map(\.name) == [PeerFixture.channel] && status.channels.first?.height == 1, "\(status.channels)")
        #expect(status.peerChannels.map(\.name) == [PeerFixture.channel])
        #expect(await routes(try OperationsRequest(method: .POST, uri: "/status")).status == .methodNotAllowed)
    }

    // MARK: blocks from the orderer

    @Test func aBlockFromTheOrdererIsVerifiedCommittedAndPushedToTheOrgsPeers() async throws {
        let fixture = try await PeerFixture(staticLeader: true)
        defer { fixture.remove() }
        try await running(fixture) {
            try await eventually("the leader's deliver stream") { fixture.orderer.requests.count == 1 }
            #expect(fixture.orderer.requests.first?.channel == PeerFixture.channel)
            #expect(fixture.orderer.requests.first?.start == 1, "delivery starts at the ledger height")
            #expect(await fixture.metric(#"fabnet_gossip_leader{channel="mychannel"}"#) == 1)

            // peer1.org1 answers the membership request and publishes its state info for the channel.
            let (peer1, signer) = try fixture.codec(asPeer: 1)
            let remote = VerifiedSigner(mspID: "Org1MSP", role: .peer, pkiID: signer.pkiID)
            let alive = AliveMessage(pkiID: signer.pkiID, mspID: "Org1MSP", externalEndpoint: PeerFixture.bootstrap,
                                     internalEndpoint: PeerFixture.bootstrap, time: PeerTime(incarnation: 1, sequence: 1))
            try await fixture.transport.deliver(try peer1.encode(.membership(.response(alive: [alive], dead: []))), from: remote, via: PeerFixture.bootstrap)
            let mac = ChannelMAC(pkiID: signer.pkiID, channel: PeerFixture.channel)
            let info = StateInfo(pkiID: signer.pkiID, channelMAC: mac, height: 1, time: PeerTime(incarnation: 1, sequence: 2))
            try await fixture.transport.deliver(try peer1.encode(.channel(mac, .stateInfo(info))), from: remote, via: PeerFixture.bootstrap)
            try await eventually("peer1.org1 as a channel peer") { await fixture.service.core.orgPeers(of: PeerFixture.channel) == [signer.pkiID] }

            fixture.orderer.publish(try fixture.block(after: fixture.genesis))
            try await eventually("block 1 in the ledger") { await fixture.service.channelInfo().first?.height == 2 }
            #expect(await fixture.metric(#"fabnet_ledger_height{channel="mychannel"}"#) == 2)
            #expect(await fixture.metric(#"ledger_blockchain_height{channel="mychannel"}"#) == 2)
            #expect(await fixture.metric(#"fabnet_blocks_received_total{via="orderer"}"#) == 1)
            #expect(await fixture.metric("fabnet_blocks_committed_total") == 1)

            try await drive(fixture, until: "block 1 pushed to peer1.org1") {
                Self.pushedBlocks(fixture.transport.messages(to: PeerFixture.bootstrap)) == [1]
            }
            let push = try #require(fixture.transport.sent.first { !Self.pushedBlocks([$0.packet.gossipMessage]).isEmpty })
            #expect(push.expecting == signer.pkiID, "a push must reach the peer it is meant for")
            #expect(Self.pushedBlocks(fixture.transport.messages(to: PeerFixture.org2Anchor)).isEmpty, "blocks go to the org's own peers")
        }
    }

    @Test func aBlockWithABadOrdererSignatureIsRefusedAndCounted() async throws {
        let fixture = try await PeerFixture(staticLeader: true)
        defer { fixture.remove() }
        try await running(fixture) {
            try await eventually("the leader's deliver stream") { fixture.orderer.requests.count == 1 }
            // Signed by a peer, not an orderer; then a tampered signature.
            fixture.orderer.publish(try fixture.block(after: fixture.genesis, signer: try fixture.nodeIdentity(org: 1, peer: 1)))
            var tampered = try fixture.block(after: fixture.genesis)
            var signatures = try #require(BlockMetadataLayout.signatures(of: tampered))
            signatures.signatures[0].signature[8] ^= 0xFF
            tampered.metadata.metadata[0] = try signatures.serializedBytes()
            fixture.orderer.publish(tampered)
            try await eventually("two refusals") { await fixture.metric(#"fabnet_blocks_refused_total{via="orderer"}"#) == 2 }
            #expect(await fixture.service.channelInfo().first?.height == 1)
            #expect(await fixture.metric(#"fabnet_blocks_received_total{via="orderer"}"#) == 0)
            #expect(fixture.logLines.filter { $0.contains("channel mychannel: block 1 from the orderer refused: bad signature or data hash") }.count == 2)

            // The stream goes on: the real block 1 is committed.
            fixture.orderer.publish(try fixture.block(after: fixture.genesis))
            try await eventually("block 1 in the ledger") { await fixture.service.channelInfo().first?.height == 2 }
            #expect(await fixture.metric(#"fabnet_blocks_refused_total{via="orderer"}"#) == 2)
        }
    }

    // MARK: a failing ledger

    @Test func aLedgerWhoseAppendFailsHaltsTheChannelOnHealthzAndMetrics() async throws {
        let fixture = try await PeerFixture(staticLeader: true)
        defer { fixture.remove() }
        try await running(fixture) {
            try await eventually("the leader's deliver stream") { fixture.orderer.requests.count == 1 }
            #expect(await fixture.service.failedChecks().isEmpty)
            #expect(await fixture.metric("fabnet_ledger_commit_failures_total") == 0)

            // The disk under the channel's ledger fails: every write to blocks.fabric now errs.
            try makeWritesFail(to: fixture.home.ledgerDirectory.appendingPathComponent("\(PeerFixture.channel)/blocks.fabric"))
            fixture.orderer.publish(try fixture.block(after: fixture.genesis))
            try await eventually("the channel halted") { await !fixture.service.failedChecks().isEmpty }

            let failed = await fixture.service.failedChecks()
            #expect(failed.map(\.component) == ["ledger:mychannel"])
            #expect(failed.first?.reason.contains("append failed twice") == true, "\(failed)")
            #expect(await fixture.metric("fabnet_ledger_commit_failures_total") == 1)
            #expect(await fixture.metric(#"fabnet_ledger_height{channel="mychannel"}"#) == 1)
            #expect(await fixture.metric("fabnet_blocks_committed_total") == 0)
            #expect(fixture.logLines.contains { $0.contains("appending block 1 failed") && $0.contains("retrying once") })
            #expect(fixture.logLines.contains { $0.contains("channel mychannel: halted") })
            // The ledger is as it was: block 1 was cut back.
            #expect(await fixture.service.channelInfo().first?.height == 1)
        }
    }
}
