import FabnetClient
import Foundation
@testable import Ledger
import Testing
@testable import PeerNode

extension PeerService {
    /// The identity of `channel`'s world-state storage for `namespace` (see `WorldState.storageIdentity`).
    func worldStateStorage(_ channel: String, _ namespace: String) -> ObjectIdentifier? {
        ledgers[channel]?.state.storageIdentity(of: namespace)
    }
}

/// A commit changes the ledger's world state in place: nothing the validation made may still
/// share it when the block is appended, or every append copies the whole state (a cost per
/// block that grew with the chain).
@Suite struct CommitInPlaceTests {
    @Test func aCommitUpdatesTheWorldStateWithoutCopyingIt() async throws {
        let fixture = try await PeerFixture(staticLeader: true)
        defer { fixture.remove() }
        try await running(fixture) {
            try await eventually("the leader's deliver stream") { fixture.orderer.requests.count == 1 }
            let first = try fixture.block(after: fixture.genesis, writes: [("color", Data("blue".utf8))])
            fixture.orderer.publish(first)
            try await eventually("block 1 in the ledger") { await fixture.service.channelInfo().first?.height == 2 }
            let before = try #require(await fixture.service.worldStateStorage(PeerFixture.channel, TransactionBuilder.namespace))
            // The same key again: an update in place never needs new storage.
            fixture.orderer.publish(try fixture.block(after: first, writes: [("color", Data("green".utf8))]))
            try await eventually("block 2 in the ledger") { await fixture.service.channelInfo().first?.height == 3 }
            #expect(await fixture.service.worldStateStorage(PeerFixture.channel, TransactionBuilder.namespace) == before,
                    "block 2's commit copied the world state")
        }
    }
}
