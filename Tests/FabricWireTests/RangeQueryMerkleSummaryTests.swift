import Crypto
import Foundation
import SwiftProtobuf
import Testing
@testable import FabricWire

/// The shape of Fabric's range query Merkle summary, built by hand for small degrees.
@Suite struct RangeQueryMerkleSummaryTests {
    static func reads(_ count: Int) -> [Kvrwset_KVRead] {
        (0..<count).map { index in Kvrwset_KVRead.with { $0.key = "key\(index)"; $0.version = .with { $0.blockNum = UInt64(index) } } }
    }

    static func sha(_ data: Data) -> Data { Data(SHA256.hash(data: data)) }

    static func leaf(_ reads: ArraySlice<Kvrwset_KVRead>) throws -> Data {
        sha(try Kvrwset_QueryReads.with { $0.kvReads = Array(reads) }.serializedBytes())
    }

    @Test func readsThatFitOneRunHaveNoSummary() {
        #expect(RangeQueryMerkleSummary.make(Self.reads(50), maxDegree: 50) == nil)
        #expect(RangeQueryMerkleSummary.make(Self.reads(51), maxDegree: 50) != nil)
        #expect(RangeQueryMerkleSummary.make(Self.reads(9), maxDegree: 1) == nil)
    }

    @Test func sevenReadsOfDegreeTwo() throws {
        // Runs of 3: [0 1 2] [3 4 5] and the rest [6]. Three leaves exceed the degree and fold
        // into one hash at level 2.
        let reads = Self.reads(7)
        let leaves = [try Self.leaf(reads[0..<3]), try Self.leaf(reads[3..<6]), try Self.leaf(reads[6..<7])]
        let summary = try #require(RangeQueryMerkleSummary.make(reads, maxDegree: 2))
        #expect(summary.maxDegree == 2)
        #expect(summary.maxLevel == 2)
        #expect(summary.maxLevelHashes == [Self.sha(leaves.reduce(Data(), +))])
    }

    @Test func sixReadsOfDegreeTwoKeepTheirLeavesAtTheTop() throws {
        // Two full runs flushed, nothing left: two leaves, within the degree, stay at level 1.
        let reads = Self.reads(6)
        let summary = try #require(RangeQueryMerkleSummary.make(reads, maxDegree: 2))
        #expect(summary.maxLevel == 1)
        #expect(summary.maxLevelHashes == [try Self.leaf(reads[0..<3]), try Self.leaf(reads[3..<6])])
    }

    @Test func lowerLevelsFoldIntoTheTopWhenDone() throws {
        // Degree 2, 10 reads: runs [0-2] [3-5] [6-8] fold at the third leaf into level 2, then
        // [9] is a lone leaf at level 1 carried up as is.
        let reads = Self.reads(10)
        let leaves = [try Self.leaf(reads[0..<3]), try Self.leaf(reads[3..<6]), try Self.leaf(reads[6..<9]), try Self.leaf(reads[9..<10])]
        let summary = try #require(RangeQueryMerkleSummary.make(reads, maxDegree: 2))
        #expect(summary.maxLevel == 2)
        #expect(summary.maxLevelHashes == [Self.sha(leaves[0..<3].reduce(Data(), +)), leaves[3]])
    }
}
