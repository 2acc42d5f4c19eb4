import Crypto
import Foundation
import SwiftProtobuf

/// Fabric's summary of a long range query's reads: what a simulation records in a
/// RangeQueryInfo instead of the raw reads once the range returned more than `maxDegree` keys
/// (Fabric's peers use 50), and what a committing peer rebuilds to check it.
///
/// Guarantees, as Fabric's range query results helper: the reads are cut, in order, into runs
/// of `maxDegree + 1`; each run's leaf is SHA-256 of `QueryReads{kv_reads: run}` as protobuf
/// encodes it, the last run being whatever is left; a level holding more than `maxDegree`
/// hashes is replaced by one hash, SHA-256 of their concatenation, one level up; at the end
/// every level below the top is folded into the one above (a single hash carried as is), and
/// a top level still holding more than `maxDegree` hashes is folded once more. `make` returns
/// `nil` when the reads fit in one run (the raw reads are recorded then) or `maxDegree` is
/// below 2 (no such summary exists).
public enum RangeQueryMerkleSummary {
    /// Fabric's `maxDegree` for range query reads.
    public static let fabricMaxDegree: UInt32 = 50

    public static func make(_ reads: [Kvrwset_KVRead], maxDegree: UInt32) -> Kvrwset_QueryReadsMerkleSummary? {
        guard maxDegree >= 2 else { return nil }
        var tree = Tree(maxDegree: Int(maxDegree))
        var pending: [Kvrwset_KVRead] = []
        for read in reads {
            pending.append(read)
            if pending.count > tree.maxDegree {
                tree.add(leaf: leafHash(pending))
                pending.removeAll(keepingCapacity: true)
            }
        }
        guard !tree.isEmpty else { return nil }
        if !pending.isEmpty { tree.add(leaf: leafHash(pending)) }
        tree.finish()
        return Kvrwset_QueryReadsMerkleSummary.with {
            $0.maxDegree = maxDegree
            $0.maxLevel = UInt32(tree.maxLevel)
            $0.maxLevelHashes = tree.levels[tree.maxLevel] ?? []
        }
    }

    static func leafHash(_ reads: [Kvrwset_KVRead]) -> Data {
        let bytes: Data = (try? Kvrwset_QueryReads.with { $0.kvReads = reads }.serializedBytes()) ?? Data()
        return Data(SHA256.hash(data: bytes))
    }

    static func combined(_ hashes: [Data]) -> Data {
        var hasher = SHA256()
        for hash in hashes { hasher.update(data: hash) }
        return Data(hasher.finalize())
    }

    /// The levels of hashes, 1 being the leaves.
    struct Tree {
        let maxDegree: Int
        var levels: [Int: [Data]] = [:]
        var maxLevel = 1

        var isEmpty: Bool { maxLevel == 1 && (levels[1] ?? []).isEmpty }

        mutating func add(leaf: Data) {
            levels[1, default: []].append(leaf)
            var level = 1
            while let hashes = levels[level], hashes.count > maxDegree {
                levels[level] = nil
                levels[level + 1, default: []].append(combined(hashes))
                maxLevel = max(maxLevel, level + 1)
                level += 1
            }
        }

        mutating func finish() {
            var level = 1
            while level < maxLevel {
                let hashes = levels[level] ?? []
                levels[level] = nil
                if !hashes.isEmpty {
                    levels[level + 1, default: []].append(hashes.count == 1 ? hashes[0] : combined(hashes))
                }
                level += 1
            }
            let top = levels[maxLevel] ?? []
            if top.count > maxDegree {
                levels[maxLevel] = nil
                maxLevel += 1
                levels[maxLevel] = [combined(top)]
            }
        }
    }
}
