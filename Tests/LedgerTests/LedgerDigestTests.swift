import FabricWire
import Foundation
import Testing
@testable import Ledger

/// `fabnet check`'s digests: equal for equal ledgers (however they were built), different when a
/// value, a version or a flag differs.
struct LedgerDigestTests {
    @Test func equalLedgersHaveEqualDigestsAndEveryBlockIsHashed() throws {
        var chain = ChainBuilder()
        let blocks = [chain.add([("a", "1"), ("b", "1")]), chain.add([("a", "2")], [("c", "1")]), chain.add([("b", nil)])]
        var digests: [LedgerDigest] = []
        for _ in 0..<2 {
            let directory = try scratchDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let (ledger, _) = try ChannelLedger.open(directory: directory, channel: "mychannel", durability: .osBuffered)
            for block in blocks { try ledger.append(block) }
            digests.append(try ledger.digest())
        }
        #expect(digests[0] == digests[1])
        #expect(digests[0].blocks.count == 3)
        #expect(digests[0].blocks[2].header == [UInt8](BlockHeaderBytes.hash(blocks[2].header)))
        #expect(digests[0].state.count == 32)
    }

    @Test func theStateDigestSeesValuesVersionsAndKeysButNotInsertionOrder() {
        func state(_ entries: [(String, String, String, UInt64)]) -> WorldState {
            var state = WorldState()
            for (namespace, key, value, block) in entries {
                state.apply([Kvrwset_KVWrite.with { $0.key = key; $0.value = Data(value.utf8) }], namespace: namespace,
                            version: Version(block: block, transaction: 0))
            }
            return state
        }
        let base = state([("cc", "a", "1", 1), ("cc", "b", "2", 1), ("other", "a", "1", 2)])
        #expect(base.digest() == state([("other", "a", "1", 2), ("cc", "b", "2", 1), ("cc", "a", "1", 1)]).digest())
        #expect(base.digest() != state([("cc", "a", "1", 1), ("cc", "b", "3", 1), ("other", "a", "1", 2)]).digest(), "a value")
        #expect(base.digest() != state([("cc", "a", "1", 1), ("cc", "b", "2", 5), ("other", "a", "1", 2)]).digest(), "a version")
        #expect(base.digest() != state([("cc", "a", "1", 1), ("cc", "b", "2", 1), ("cc", "a2", "1", 2)]).digest(), "a key and namespace")
        #expect(WorldState().digest() != base.digest())
    }
}
