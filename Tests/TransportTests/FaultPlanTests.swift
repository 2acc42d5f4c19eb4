import FabnetModel
import Testing
@testable import Transport

/// `fabnet fault`'s plan: who is cut, and what delay and loss a link gets from its two ends.
struct FaultPlanTests {
    @Test func nodesInDifferentGroupsAreCutAndNodesInNoGroupReachAll() {
        let plan = FaultPlan(partition: [["a", "b"], ["c"]])
        #expect(!plan.isCut("a", "b"))
        #expect(plan.isCut("a", "c") && plan.isCut("c", "b"))
        #expect(!plan.isCut("a", "free") && !plan.isCut("free", "c"))
        #expect(!FaultPlan().isCut("a", "c"))
    }

    @Test func delayAddsUpAndLossCombinesFromBothEnds() {
        let plan = FaultPlan(nodes: ["a": .init(delayMinimumMilliseconds: 10, delayMaximumMilliseconds: 20, loss: 0.5),
                                     "b": .init(delayMinimumMilliseconds: 5, delayMaximumMilliseconds: 5, loss: 0.5)])
        #expect(plan.delay("a", "b") == 15...25)
        #expect(plan.delay("a", "c") == 10...20)
        #expect(plan.delay("c", "d") == 0...0)
        #expect(plan.loss("a", "b") == 0.75)
        #expect(plan.loss("b", "c") == 0.5)
        #expect(plan.loss("c", "d") == 0)
    }

    @Test func nodesAreNamedByTheirPKIIDInHex() {
        #expect(FaultPlan.name(of: PKIID([0x00, 0xAB, 0x10])) == "00ab10")
    }

    @Test func theSwitchDropsOnlyGossipAtFullLossAndDelaysWithinTheRange() {
        let own = PKIID([1]), other = FaultPlan.name(of: PKIID([2]))
        let faults = FaultSwitch(own: own)
        #expect(faults.keeps(from: other, isGossip: true) && faults.delay(from: other) == .zero)
        faults.apply(FaultPlan(nodes: [other: .init(delayMinimumMilliseconds: 3, delayMaximumMilliseconds: 7, loss: 1)], members: [other]))
        #expect(!faults.keeps(from: other, isGossip: true))
        #expect(faults.keeps(from: other, isGossip: false), "only gossip is lost")
        let held = faults.delay(from: other)
        #expect(held >= .milliseconds(3) && held <= .milliseconds(7))
        #expect(faults.counts.dropped == 1 && faults.counts.delayed == 1)
        // A client (not a member of the network) is never slowed or lost, whatever its role says.
        let client = FaultPlan.name(of: PKIID([9]))
        #expect(faults.keeps(from: client, isNodeByRole: true, isGossip: true) && faults.delay(from: client, isNodeByRole: true) == .zero)
    }
}
