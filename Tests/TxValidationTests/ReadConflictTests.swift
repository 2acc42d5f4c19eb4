import FabricWire
import Foundation
import Testing
@testable import Ledger
@testable import TxValidation

/// MVCC_READ_CONFLICT and PHANTOM_READ_CONFLICT against the committed state and the writes of
/// the block's earlier VALID transactions; determinism.
@Suite struct ReadConflictTests {
    static let v1 = Version(block: 1, transaction: 0)
    static let v2 = Version(block: 2, transaction: 4)
    /// basic: a@1:0, b@2:4, d@1:0.
    static let state = TestChannel.state([("basic", "a", "1", v1), ("basic", "b", "2", v2), ("basic", "d", "4", v1)])
    static let context = TestChannel.context(state: state)

    func call(_ nonce: String) -> TransactionBuilder { TransactionBuilder(nonce).endorsed(by: .peer1, .peer2) }

    @Test func readsAtTheCommittedVersionsAreValid() {
        let tx = call("m1").reading("a", at: Self.v1).reading("b", at: Self.v2).reading("c", at: nil).writing("c", "3")
        #expect(TestChannel.validate([tx.candidate()], Self.context).codes == [.valid])
    }

    @Test func aStaleVersionIsAnMVCCConflict() {
        let block = TestChannel.validate([call("m2").reading("b", at: Self.v1).writing("b", "x").candidate()], Self.context)
        #expect(block.codes == [.mvccReadConflict])
        #expect(block.verdicts[0].reason == "key 'b' of 'basic' was read at version 1:0, but it is at version 2:4 now")
    }

    @Test func absentMeansAbsent() {
        let sawNothing = TestChannel.validate([call("m3").reading("a", at: nil).candidate()], Self.context)
        #expect(sawNothing.codes == [.mvccReadConflict])
        #expect(sawNothing.verdicts[0].reason.contains("read absent, but it is at version 1:0 now"))
        let sawGone = TestChannel.validate([call("m4").reading("zz", at: Self.v1).candidate()], Self.context)
        #expect(sawGone.codes == [.mvccReadConflict])
        #expect(sawGone.verdicts[0].reason.contains("but it is absent now"))
    }

    @Test func aKeyAnEarlierValidTransactionOfTheBlockWroteConflicts() {
        // Two transfers of the same asset at the same version: the first wins.
        let first = call("m5").reading("a", at: Self.v1).writing("a", "to Bob")
        let second = call("m6").reading("a", at: Self.v1).writing("a", "to Carol")
        let block = TestChannel.validate([first.candidate(), second.candidate()], Self.context)
        #expect(block.codes == [.valid, .mvccReadConflict])
        #expect(block.verdicts[1].reason == "key 'a' of 'basic' was written by transaction 0 earlier in this block")
        // A deletion counts as a write.
        let deleting = call("m7").reading("a", at: Self.v1).writing("a", nil)
        #expect(TestChannel.validate([deleting.candidate(), second.candidate()], Self.context).codes == [.valid, .mvccReadConflict])
    }

    @Test func anInvalidEarlierTransactionsWritesDoNotCount() {
        let rejected = call("m8").reading("a", at: Self.v1).writing("a", "to Bob").endorsed(by: .peer1)
        let second = call("m9").reading("a", at: Self.v1).writing("a", "to Carol")
        let block = TestChannel.validate([rejected.candidate(), second.candidate()], Self.context)
        #expect(block.codes == [.endorsementPolicyFailure, .valid])
        // Nor do the writes of one that itself had a read conflict.
        let stale = call("m10").reading("b", at: Self.v1).writing("a", "x")
        #expect(TestChannel.validate([stale.candidate(), second.candidate()], Self.context).codes == [.mvccReadConflict, .valid])
    }

    @Test func aRangeReadAsItIsStillIsValid() {
        let tx = call("p1").ranging(from: "a", to: "c", read: [("a", Self.v1), ("b", Self.v2)])
        #expect(TestChannel.validate([tx.candidate()], Self.context).codes == [.valid])
        let open = call("p2").ranging(from: "", to: "", read: [("a", Self.v1), ("b", Self.v2), ("d", Self.v1)])
        #expect(TestChannel.validate([open.candidate()], Self.context).codes == [.valid])
    }

    @Test func anInsertIntoTheRangeIsAPhantom() {
        let scan = call("p3").ranging(from: "a", to: "e", read: [("a", Self.v1), ("b", Self.v2), ("d", Self.v1)])
        let insert = call("p4").writing("c", "new")
        let block = TestChannel.validate([insert.candidate(), scan.candidate()], Self.context)
        #expect(block.codes == [.valid, .phantomReadConflict])
        #expect(block.verdicts[1].reason == "range ['a', 'e') of 'basic': key 'c' appeared before 'd'")
        // Committed before: the same.
        let committed = TestChannel.state([("basic", "a", "1", Self.v1), ("basic", "b", "2", Self.v2), ("basic", "c", "3", Self.v2),
                                           ("basic", "d", "4", Self.v1)])
        #expect(TestChannel.validate([scan.candidate()], TestChannel.context(state: committed)).codes == [.phantomReadConflict])
        // An insert after the last key read.
        let appended = TestChannel.validate([call("p5").writing("da", "x").candidate(), scan.candidate()], Self.context)
        #expect(appended.codes == [.valid, .phantomReadConflict])
        #expect(appended.verdicts[1].reason.contains("key 'da' appeared after the 3 keys read"))
    }

    @Test func aDeletionOrAnUpdateInTheRangeIsAPhantom() {
        let scan = call("p6").ranging(from: "a", to: "e", read: [("a", Self.v1), ("b", Self.v2), ("d", Self.v1)])
        let delete = TestChannel.validate([call("p7").writing("b", nil).candidate(), scan.candidate()], Self.context)
        #expect(delete.codes == [.valid, .phantomReadConflict])
        #expect(delete.verdicts[1].reason.contains("key 'b' was read but is no longer there"))
        let update = TestChannel.validate([call("p8").writing("d", "5").candidate(), scan.candidate()], Self.context)
        #expect(update.codes == [.valid, .phantomReadConflict])
        #expect(update.verdicts[1].reason.contains("key 'd' was read at version 1:0, now 5:0"))
    }

    @Test func aRangeNotExhaustedEndsAtItsLastKeyRead() {
        // The simulation read a and b, then stopped: the range is [a, b], and a key after b is
        // no phantom, a key between a and b is.
        let partial = call("p9").ranging(from: "a", to: "b", exhausted: false, read: [("a", Self.v1), ("b", Self.v2)])
        #expect(TestChannel.validate([call("p10").writing("c", "x").candidate(), partial.candidate()], Self.context).codes == [.valid, .valid])
        #expect(TestChannel.validate([call("p11").writing("ab", "x").candidate(), partial.candidate()], Self.context).codes
            == [.valid, .phantomReadConflict])
        #expect(TestChannel.validate([call("p12").writing("b", "x").candidate(), partial.candidate()], Self.context).codes
            == [.valid, .phantomReadConflict])
        // As exhausted, the same reads miss b's end key: [a, b) holds only a.
        let exhausted = call("p13").ranging(from: "a", to: "b", read: [("a", Self.v1), ("b", Self.v2)])
        #expect(TestChannel.validate([exhausted.candidate()], Self.context).codes == [.phantomReadConflict])
    }

    @Test func aLongRangeIsCheckedByItsMerkleSummary() throws {
        // 120 keys: Fabric's simulator records a summary of degree 50 instead of the reads.
        let keys = (0..<120).map { String(format: "k%03d", $0) }
        let state = TestChannel.state(keys.map { ("basic", $0, "v", Self.v1) })
        let reads = keys.map { key in Kvrwset_KVRead.with { $0.key = key; $0.version = .with { $0.blockNum = 1 } } }
        let summary = try #require(RangeQueryMerkleSummary.make(reads, maxDegree: RangeQueryMerkleSummary.fabricMaxDegree))
        let scan = call("h1").changing { builder in
            builder.namespaces = [("basic", .with {
                $0.rangeQueriesInfo = [.with { $0.startKey = "k"; $0.endKey = "l"; $0.itrExhausted = true; $0.readsMerkleHashes = summary }]
            })]
        }
        let context = TestChannel.context(state: state)
        #expect(TestChannel.validate([scan.candidate()], context).codes == [.valid])
        let inserted = TestChannel.validate([call("h2").writing("k050a", "x").candidate(), scan.candidate()], context)
        #expect(inserted.codes == [.valid, .phantomReadConflict])
        #expect(inserted.verdicts[1].reason.contains("the 121 keys there now do not match the Merkle summary"))
        // A range that shrank to fewer keys than one run has no summary at all: a phantom too.
        let few = TestChannel.state(keys.prefix(10).map { ("basic", $0, "v", Self.v1) })
        #expect(TestChannel.validate([scan.candidate()], TestChannel.context(state: few)).codes == [.phantomReadConflict])
    }

    @Test func rangeReplaySeesTheBlocksInsertsUpdatesAndDeletes() {
        var updates = InBlockUpdates()
        updates.apply(TransactionBuilder("x").writing("b", nil).writing("c", "3").writing("d", "5").candidate().namespaces,
                      version: Version(block: 5, transaction: 1))
        let info = Kvrwset_RangeQueryInfo.with { $0.startKey = "a"; $0.endKey = ""; $0.itrExhausted = true }
        let results = RangeQueryReplay.results(of: info, namespace: "basic", state: Self.state, updates: updates, limit: 10)
        #expect(results.map(\.key) == ["a", "c", "d"])
        #expect(results.map(\.version) == [Self.v1, Version(block: 5, transaction: 1), Version(block: 5, transaction: 1)])
        #expect(RangeQueryReplay.results(of: info, namespace: "basic", state: Self.state, updates: updates, limit: 2).map(\.key) == ["a", "c"])
    }

    @Test func theCodesAreTheSameEveryTime() {
        let candidates = [
            call("s1").reading("a", at: Self.v1).writing("a", "x").candidate(),
            call("s2").reading("a", at: Self.v1).writing("a", "y").candidate(),
            call("s3").ranging(from: "a", to: "e", read: [("a", Self.v1), ("b", Self.v2), ("d", Self.v1)]).candidate(),
            call("s4").writing("q", "1").endorsed(by: .peer2).candidate(),
            TransactionBuilder("s5", chaincode: "nope").writing("k", "v").endorsed(by: .peer1, .peer2).candidate(),
            call("s6").writing("z", "1").candidate(),
        ]
        let first = TestChannel.validate(candidates, Self.context)
        let second = TestChannel.validate(candidates, Self.context)
        #expect(first.codes == [.valid, .mvccReadConflict, .phantomReadConflict, .endorsementPolicyFailure, .invalidChaincode, .valid])
        #expect(first.verdicts == second.verdicts)
        #expect(first.effects == second.effects)
        // Validating one block does not change the committed state it was given.
        #expect(Self.context.state["basic", "z"] == nil)
    }
}
