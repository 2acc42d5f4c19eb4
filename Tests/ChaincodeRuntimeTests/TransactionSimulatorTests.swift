@testable import ChaincodeRuntime
import FabricWire
import Foundation
import Testing

struct TransactionSimulatorTests {
    @Test func readsSeeCommittedStateNeverTheTransactionsOwnWrites() throws {
        var state = InMemoryCommittedState()
        state.set(namespace: "basic", key: "k", value: bytes("committed"), block: 3, transaction: 1)
        var simulator = TransactionSimulator(state: state)
        try simulator.putState(namespace: "basic", key: "k", value: bytes("mine"))
        try simulator.putState(namespace: "basic", key: "new", value: bytes("mine too"))
        #expect(simulator.getState(namespace: "basic", key: "k") == bytes("committed"))
        #expect(simulator.getState(namespace: "basic", key: "new") == nil)

        let set = try simulator.readWriteSet().set("basic")
        #expect(set.reads.map(\.key) == ["k", "new"])
        #expect(set.reads[0].version == version(3, 1))
        #expect(!set.reads[1].hasVersion, "an absent key is read with no version")
        #expect(set.writes.map(\.key) == ["k", "new"])
        #expect(set.writes.map(\.value) == [bytes("mine"), bytes("mine too")])
    }

    @Test func eachKeyIsReadOnce() throws {
        var simulator = TransactionSimulator(state: committed("basic", ["a"]))
        _ = simulator.getState(namespace: "basic", key: "a")
        _ = simulator.getState(namespace: "basic", key: "a")
        #expect(try simulator.readWriteSet().set("basic").reads.count == 1)
    }

    @Test func theLastWriteOrDeleteWins() throws {
        var simulator = TransactionSimulator(state: InMemoryCommittedState())
        try simulator.putState(namespace: "ns", key: "a", value: bytes("1"))
        try simulator.putState(namespace: "ns", key: "a", value: bytes("2"))
        try simulator.deleteState(namespace: "ns", key: "a")
        try simulator.deleteState(namespace: "ns", key: "b")
        try simulator.putState(namespace: "ns", key: "b", value: bytes("3"))
        try simulator.putState(namespace: "ns", key: "c", value: Data())
        let writes = try simulator.readWriteSet().set("ns").writes
        #expect(writes.map(\.key) == ["a", "b", "c"])
        #expect(writes.map(\.isDelete) == [true, false, true], "an empty value is a delete, as on Fabric's wire")
        #expect(writes[1].value == bytes("3"))
    }

    @Test func anEmptyKeyIsRefused() {
        var simulator = TransactionSimulator(state: InMemoryCommittedState())
        #expect(throws: SimulationError.emptyKey(namespace: "ns")) {
            try simulator.putState(namespace: "ns", key: "", value: bytes("x"))
        }
    }

    @Test func namespacesReadsAndWritesAreSortedByBytesAsFabricSortsThem() throws {
        var simulator = TransactionSimulator(state: InMemoryCommittedState())
        // "e" + combining acute (65 CC 81) sorts before "f" by bytes; Swift's own String order
        // (canonical, é = U+00E9) would put it after.
        let combining = "e\u{301}x"
        for key in ["f", combining, "B", "a", "\u{0}composite"] {
            _ = simulator.getState(namespace: "zeta", key: key)
            try simulator.putState(namespace: "zeta", key: key, value: bytes(key))
        }
        _ = simulator.getState(namespace: "Alpha", key: "k")
        try simulator.putState(namespace: "alpha", key: "k", value: bytes("v"))
        let sets = try simulator.readWriteSet().decoded()
        #expect(sets.map(\.namespace) == ["Alpha", "alpha", "zeta"])
        let zeta = sets[2].set
        let expected = ["\u{0}composite", "B", "a", combining, "f"]
        #expect(zeta.reads.map { Array($0.key.utf8) } == expected.map { Array($0.utf8) })
        #expect(zeta.writes.map { Array($0.key.utf8) } == expected.map { Array($0.utf8) })
    }

    @Test func keysAreToldApartByTheirBytesAsInFabric() throws {
        // Canonically equivalent for Swift's String ==, two different keys for Fabric.
        let precomposed = "caf\u{E9}", decomposed = "cafe\u{301}"
        var state = InMemoryCommittedState()
        state.set(namespace: "ns", key: precomposed, value: bytes("one"), block: 1, transaction: 0)
        var simulator = TransactionSimulator(state: state)
        #expect(simulator.getState(namespace: "ns", key: decomposed) == nil)
        try simulator.putState(namespace: "ns", key: precomposed, value: bytes("1"))
        try simulator.putState(namespace: "ns", key: decomposed, value: bytes("2"))
        let set = try simulator.readWriteSet().set("ns")
        #expect(set.writes.map { Array($0.key.utf8) } == [Array(decomposed.utf8), Array(precomposed.utf8)])
        #expect(set.reads.count == 1 && !set.reads[0].hasVersion)
    }

    @Test func theSameCallsInAnotherOrderGiveTheSameBytes() throws {
        let state = committed("basic", ["a", "b", "c", "d"])
        var first = TransactionSimulator(state: state)
        _ = first.getState(namespace: "basic", key: "c")
        try first.putState(namespace: "basic", key: "z", value: bytes("1"))
        _ = first.getState(namespace: "basic", key: "a")
        _ = first.getState(namespace: "other", key: "x")
        try first.putState(namespace: "basic", key: "b", value: bytes("2"))
        var second = TransactionSimulator(state: state)
        try second.putState(namespace: "basic", key: "b", value: bytes("2"))
        _ = second.getState(namespace: "other", key: "x")
        _ = second.getState(namespace: "basic", key: "a")
        try second.putState(namespace: "basic", key: "z", value: bytes("1"))
        _ = second.getState(namespace: "basic", key: "c")
        let one: Data = try first.readWriteSet().serializedBytes()
        let two: Data = try second.readWriteSet().serializedBytes()
        #expect(one == two)
    }

    @Test func aRangeQueryHandsOutPagesAndRecordsWhatWasRead() throws {
        var simulator = TransactionSimulator(state: committed("basic", ["a", "b", "c", "d", "e"]))
        let query = try simulator.openRangeQuery(namespace: "basic", start: "b", end: "e")
        let first = try simulator.next(query, limit: 2)
        #expect(first.records.map(\.key) == ["b", "c"])
        #expect(first.records.map(\.namespace) == ["basic", "basic"])
        #expect(first.records.map(\.value) == [bytes("v-b"), bytes("v-c")])
        #expect(first.hasMore)

        var info = try #require(try simulator.readWriteSet().set("basic").rangeQueriesInfo.first)
        #expect(info.startKey == "b")
        #expect(info.endKey == "c", "an unexhausted query ends at the last key read")
        #expect(!info.itrExhausted)

        let second = try simulator.next(query, limit: 2)
        #expect(second.records.map(\.key) == ["d"])
        #expect(!second.hasMore)
        let set = try simulator.readWriteSet().set("basic")
        info = try #require(set.rangeQueriesInfo.first)
        #expect(info.endKey == "e", "an exhausted query ends at the query's end key")
        #expect(info.itrExhausted)
        #expect(info.rawReads.kvReads.map(\.key) == ["b", "c", "d"])
        #expect(info.rawReads.kvReads.map(\.version) == [version(2, 0), version(3, 0), version(4, 0)])
        #expect(set.reads.isEmpty, "range reads are recorded in the range query, not as plain reads")
    }

    @Test func anEmptyRangeIsExhaustedWithNoReadsRecorded() throws {
        var simulator = TransactionSimulator(state: committed("basic", ["a"]))
        let query = try simulator.openRangeQuery(namespace: "basic", start: "x", end: "")
        let batch = try simulator.next(query, limit: 10)
        #expect(batch.records.isEmpty && !batch.hasMore)
        let info = try #require(try simulator.readWriteSet().set("basic").rangeQueriesInfo.first)
        #expect(info.itrExhausted && info.endKey == "" && info.startKey == "x")
        #expect(info.readsInfo == nil, "Fabric leaves reads_info unset when nothing was read")
    }

    @Test func theSameRangeQueryTwiceIsRecordedOnce() throws {
        var simulator = TransactionSimulator(state: committed("basic", ["a", "b"]))
        for _ in 0..<2 {
            let query = try simulator.openRangeQuery(namespace: "basic", start: "", end: "")
            _ = try simulator.next(query, limit: 10)
        }
        let other = try simulator.openRangeQuery(namespace: "basic", start: "b", end: "")
        _ = try simulator.next(other, limit: 10)
        let infos = try simulator.readWriteSet().set("basic").rangeQueriesInfo
        #expect(infos.map(\.startKey) == ["", "b"], "in the order opened, a repeat kept once")
    }

    @Test func aPaginatedQueryIsOnePageWithABookmarkAndOnlyInReadOnlyTransactions() throws {
        var simulator = TransactionSimulator(state: committed("basic", ["a", "b", "c"]))
        let query = try simulator.openRangeQuery(namespace: "basic", start: "", end: "", pageSize: 2)
        let page = try simulator.next(query, limit: 2)
        #expect(page.records.map(\.key) == ["a", "b"])
        #expect(!page.hasMore)
        #expect(simulator.bookmark(query) == "c")
        let info = try #require(try simulator.readWriteSet().set("basic").rangeQueriesInfo.first)
        #expect(!info.itrExhausted && info.endKey == "b")
        #expect(throws: SimulationError.writeAfterPaginatedQuery(namespace: "basic", key: "k")) {
            try simulator.putState(namespace: "basic", key: "k", value: bytes("v"))
        }

        var writer = TransactionSimulator(state: committed("basic", ["a"]))
        try writer.putState(namespace: "basic", key: "k", value: bytes("v"))
        #expect(throws: SimulationError.paginatedQueryAfterWrite(namespace: "basic")) {
            _ = try writer.openRangeQuery(namespace: "basic", start: "", end: "", pageSize: 1)
        }
    }

    @Test func theLastPageHasAnEmptyBookmark() throws {
        var simulator = TransactionSimulator(state: committed("basic", ["a", "b", "c"]))
        let query = try simulator.openRangeQuery(namespace: "basic", start: "b", end: "", pageSize: 5)
        #expect(try simulator.next(query, limit: 5).records.map(\.key) == ["b", "c"])
        #expect(simulator.bookmark(query) == "")
        #expect(try simulator.readWriteSet().set("basic").rangeQueriesInfo.first?.itrExhausted == true)
    }

    @Test func anUnknownRangeQueryIsRefused() {
        var simulator = TransactionSimulator(state: InMemoryCommittedState())
        #expect(throws: SimulationError.unknownRangeQuery(RangeQueryID(rawValue: 7))) {
            _ = try simulator.next(RangeQueryID(rawValue: 7), limit: 1)
        }
    }

    @Test func theInMemoryStateAnswersRangesInByteOrderWithAnOpenEnd() {
        let state = committed("ns", ["b", "a", "c", "e\u{301}", "f"])
        #expect(state.range(namespace: "ns", start: "b", end: "").map(\.key) == ["b", "c", "e\u{301}", "f"])
        #expect(state.range(namespace: "ns", start: "", end: "c").map(\.key) == ["a", "b"])
        #expect(state.range(namespace: "other", start: "", end: "").isEmpty)
    }
}
