import Testing
@testable import OrdererNode

/// Fabric's batch rules, checked on the pure cutter.
@Suite struct BlockCutterTests {
    let start = ContinuousClock.now
    let limits = BlockCutter<String>.Limits(maxMessageCount: 3, preferredMaxBytes: 100, batchTimeout: .milliseconds(250))

    func cuts(_ effects: [BlockCutter<String>.Effect]) -> [[String]] {
        effects.compactMap { if case .cut(let batch) = $0 { return batch } else { return nil } }
    }

    @Test func cutsAtMaxMessageCount() {
        var cutter = BlockCutter<String>(limits: limits)
        #expect(cuts(cutter.ordered("a", size: 10, now: start)).isEmpty)
        #expect(cuts(cutter.ordered("b", size: 10, now: start)).isEmpty)
        #expect(cuts(cutter.ordered("c", size: 10, now: start)) == [["a", "b", "c"]])
        #expect(cutter.pendingCount == 0)
    }

    @Test func firstTransactionStartsTheTimerAndTimeoutCuts() {
        var cutter = BlockCutter<String>(limits: limits)
        let effects = cutter.ordered("a", size: 10, now: start)
        guard case let .startTimer(at, generation)? = effects.first else {
            Issue.record("expected a timer")
            return
        }
        #expect(at == start.advanced(by: .milliseconds(250)))
        _ = cutter.ordered("b", size: 10, now: start)
        #expect(cuts(cutter.timerExpired(generation: generation)) == [["a", "b"]])
        #expect(cutter.timerExpired(generation: generation).isEmpty)
    }

    @Test func staleTimerDoesNothing() {
        var cutter = BlockCutter<String>(limits: limits)
        guard case let .startTimer(_, old)? = cutter.ordered("a", size: 10, now: start).first else { return }
        _ = cutter.ordered("b", size: 10, now: start)
        _ = cutter.ordered("c", size: 10, now: start)  // cut by count
        _ = cutter.ordered("d", size: 10, now: start)  // new batch, new timer
        #expect(cutter.timerExpired(generation: old).isEmpty)
        #expect(cutter.pendingCount == 1)
    }

    @Test func preferredMaxBytesCutsThePendingBatchFirst() {
        var cutter = BlockCutter<String>(limits: limits)
        _ = cutter.ordered("a", size: 60, now: start)
        #expect(cuts(cutter.ordered("b", size: 60, now: start)) == [["a"]])
        #expect(cutter.pendingCount == 1)
    }

    @Test func largeTransactionGetsItsOwnBlock() {
        var cutter = BlockCutter<String>(limits: limits)
        _ = cutter.ordered("a", size: 10, now: start)
        #expect(cuts(cutter.ordered("big", size: 150, now: start)) == [["a"], ["big"]])
        #expect(cutter.pendingCount == 0)
    }
}
