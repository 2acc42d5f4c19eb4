import FabnetClient
import FabricWire
import Foundation
import OperationsEndpoint
import Testing
@testable import PeerNode

/// A peer started with `--hold-channels` (what `fabnet up` does when it restarts a whole
/// network): its joined channels wait for a join that resumes them where their ledgers end, or
/// for the hold to end.
@Suite struct HeldChannelsTests {
    static let hold = Duration.seconds(30)

    @Test func aHeldChannelIsNotServedUntilAJoinResumesItAtItsHeight() async throws {
        let fixture = try await PeerFixture(holdChannels: Self.hold)
        defer { fixture.remove() }
        #expect(await fixture.service.channelNames.isEmpty, "a held channel is served")
        #expect(await fixture.service.core.channels.isEmpty, "a held channel is gossiped")
        #expect(fixture.logLines.contains { $0.contains("channel mychannel: held at height 1 until joined again") })
        let answer = try await fixture.service.joinChannel(genesis: fixture.genesis)
        #expect(answer == "resumed mychannel at height 1")
        #expect(await fixture.service.channelNames == [PeerFixture.channel])
        #expect(await fixture.service.core.channels == [PeerFixture.channel])
        #expect(await fixture.service.heldChannelNames.isEmpty)
        #expect(try await fixture.service.joinChannel(genesis: fixture.genesis) == "already a member of mychannel")
    }

    @Test func aJoinWithAnotherBlockZeroIsRefusedAndTheChannelStaysHeld() async throws {
        let fixture = try await PeerFixture(holdChannels: Self.hold)
        defer { fixture.remove() }
        let other = try ChannelGenesis.block(of: fixture.spec.channels[0], in: fixture.spec, layout: fixture.layout,
                                             creator: try PeerFixture.identity(fixture.spec, fixture.layout, org: 1, user: 1))
        #expect(other.header.dataHash != fixture.genesis.header.dataHash)
        do {
            let answer = try await fixture.service.joinChannel(genesis: other)
            Issue.record("a join with another block 0 was answered: \(answer)")
        } catch {
            #expect("\(error)".contains("this peer's ledger begins with another block 0") && "\(error)".contains("fabnet down --clean"), "\(error)")
        }
        #expect(await fixture.service.channelNames.isEmpty)
        #expect(await fixture.service.heldChannelNames == [PeerFixture.channel])
        #expect(try await fixture.service.joinChannel(genesis: fixture.genesis) == "resumed mychannel at height 1")
    }

    @Test func whenTheHoldEndsThePeerResumesItsChannelsItself() async throws {
        let fixture = try await PeerFixture(holdChannels: Self.hold)
        defer { fixture.remove() }
        try await running(fixture) {
            // The hold's end is a timer of the manual clock, armed at start.
            try await eventually("the hold's timer") { fixture.clock.deadlines.contains(Self.hold) }
            fixture.clock.advance(to: Self.hold - .milliseconds(1))
            #expect(await fixture.service.channelNames.isEmpty, "resumed before the hold ended")
            fixture.clock.advance(to: Self.hold)
            try await eventually("mychannel resumed") { await fixture.service.channelNames == [PeerFixture.channel] }
        }
        #expect(fixture.logLines.contains { $0.contains("channel mychannel: not joined again within 30.0 seconds of start; serving it") })
    }

    @Test func withoutAHoldARestartedPeerServesItsChannelsAtOnce() async throws {
        let fixture = try await PeerFixture()
        defer { fixture.remove() }
        #expect(await fixture.service.channelNames == [PeerFixture.channel])
        #expect(await fixture.service.heldChannelNames.isEmpty)
    }
}
