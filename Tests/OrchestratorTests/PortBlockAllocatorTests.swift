import Testing
@testable import Orchestrator

/// Regression for "orderer exited during start" (one full test run in nine): a lone test
/// orderer drew its port with `freePort()`, which did not look at the blocks `freePortBlock`
/// had handed out, so it could take a port of a network that was starting; whichever bound it
/// second exited with "address already in use". Now single ports and blocks come from one
/// allocator that never hands out a port twice.
@Suite struct PortBlockAllocatorTests {
    @Test func aSinglePortIsNeverTakenFromABlockHandedOutBefore() {
        var allocator = PortBlockAllocator()
        let block = allocator.claim(count: 10, bases: [20_100], isFree: { _ in true })
        #expect(block == 20_100)
        // Every port of the block is free on the machine (no node bound it yet), and the draw
        // lands on each of them first: none is handed out; the first port after the block is.
        let single = allocator.claim(count: 1, bases: Array(20_100..<20_110) + [20_110], isFree: { _ in true })
        #expect(single == 20_110)
    }

    @Test func aBlockOverlappingAPortHandedOutBeforeIsSkipped() {
        var allocator = PortBlockAllocator()
        #expect(allocator.claim(count: 1, bases: [20_205], isFree: { _ in true }) == 20_205)
        #expect(allocator.claim(count: 10, bases: [20_200, 20_196, 20_206], isFree: { _ in true }) == 20_206)
        #expect(allocator.handedOut == [20_205..<20_206, 20_206..<20_216])
    }

    @Test func portsInUseAndBlocksOutsideTheRangeAreSkipped() {
        var allocator = PortBlockAllocator()
        let busy: Set<Int> = [20_003]
        #expect(allocator.claim(count: 4, bases: [20_000, 32_766, 20_004], isFree: { !busy.contains($0) }) == 20_004)
        #expect(allocator.claim(count: 4, bases: [19_999, 40_000], isFree: { _ in true }) == nil)
    }

    @Test func freePortAndFreePortBlockNeverOverlapInOneProcess() throws {
        var taken: [Range<Int>] = []
        for count in [1, 12, 1, 1, 34, 1, 6] {
            let base = try count == 1 ? freePort() : freePortBlock(count: count)
            let block = base..<(base + count)
            #expect(!taken.contains { $0.overlaps(block) })
            taken.append(block)
        }
    }
}
