import FabnetModel
@testable import GossipCore
import Testing

/// The commit bookkeeping on its own: reorder buffer, blocks in flight, confirmed height, halt.
@Suite struct CommitQueueTests {
    func block(_ number: UInt64) -> GossipBlock { GossipBlock(number: number, data: [UInt8(truncatingIfNeeded: number)]) }

    /// A shell that answers late: blocks keep being handed out in order while earlier ones are
    /// in flight, and the height follows the confirmations one by one.
    @Test func blocksAreHandedOutInOrderWhileEarlierOnesAreStillInFlight() {
        var queue = CommitQueue(height: 5, bufferSize: 4, windowSize: 10)
        #expect(queue.store(block(7)) == .ready([]))
        #expect(queue.hasGap)
        #expect(queue.store(block(5)) == .ready([block(5)]))
        #expect(queue.store(block(6)) == .ready([block(6), block(7)]))
        #expect(queue.inFlight == 5..<8 && queue.height == 5)
        #expect(queue.store(block(8)) == .ready([block(8)]))
        for number in 5...8 as ClosedRange<UInt64> { #expect(queue.confirm(number) == nil, "block \(number)") }
        #expect(queue.height == 9 && queue.inFlight.isEmpty)
    }

    @Test func inFlightBlocksAreHeldButNotMissing() {
        var queue = CommitQueue(height: 0, bufferSize: 4, windowSize: 10)
        _ = queue.store(block(0))
        #expect(!queue.isMissing(0))
        #expect(queue.store(block(0)) == .duplicate)
        #expect(queue.held(0) == block(0) && queue.heldNumbers == [0])
        // The reorder window counts from the next block to hand out, not from the confirmed height.
        #expect(queue.isMissing(1) && queue.isMissing(4) && !queue.isMissing(5))
        #expect(queue.store(block(5)) == .beyondBuffer)
    }

    @Test func theWindowKeepsTheLastBlocksHandedOut() {
        var queue = CommitQueue(height: 0, bufferSize: 20, windowSize: 3)
        for number in 0..<5 as Range<UInt64> { _ = queue.store(block(number)) }
        #expect(queue.heldNumbers == [2, 3, 4])
        #expect(queue.recentBlock(1) == nil && queue.recentBlock(4) == block(4))
    }

    @Test func onlyTheOldestBlockInFlightIsConfirmed() {
        var queue = CommitQueue(height: 0, bufferSize: 4, windowSize: 10)
        #expect(queue.confirm(0)?.contains("no block is in flight") == true)
        _ = queue.store(block(0))
        _ = queue.store(block(1))
        #expect(queue.confirm(1)?.contains("oldest block in flight is 0") == true)
        #expect(queue.height == 0)
        #expect(queue.confirm(0) == nil && queue.height == 1)
    }

    @Test func aFailureHaltsOnceAndFreezesTheHeight() {
        var queue = CommitQueue(height: 0, bufferSize: 4, windowSize: 10)
        _ = queue.store(block(0))
        _ = queue.store(block(1))
        _ = queue.store(block(3))
        #expect(queue.confirm(0) == nil)
        let first = queue.fail(1, reason: "EIO")
        #expect(first.halted && first.note == nil)
        #expect(queue.haltReason == "block 1 not written: EIO")
        #expect(!queue.hasGap, "the reorder buffer is emptied")
        #expect(queue.store(block(2)) == .halted)
        #expect(!queue.isMissing(2))
        #expect(queue.confirm(1)?.contains("halted") == true)
        #expect(queue.fail(2, reason: "again").halted == false)
        #expect(queue.height == 1)
        // A failure reported for another block than the oldest in flight still halts, with a note.
        var other = CommitQueue(height: 0, bufferSize: 4, windowSize: 10)
        _ = other.store(block(0))
        let odd = other.fail(3, reason: "EIO")
        #expect(odd.halted && odd.note?.contains("halting anyway") == true)
    }
}
