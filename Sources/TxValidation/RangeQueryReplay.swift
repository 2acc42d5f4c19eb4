import FabricWire
import Foundation
import Ledger

/// Re-runs a range query a transaction made during simulation, over the committed state as the
/// earlier VALID transactions of the block change it, and compares the results with the reads
/// it recorded (Fabric's phantom-read check, on raw reads or on their Merkle summary).
///
/// Guarantees, as Fabric's combined iterator and results validator:
/// - the range is `start_key` (inclusive) to `end_key` (exclusive; empty: no end); when the
///   simulation stopped before the iterator was exhausted (`itr_exhausted` false), `end_key` is
///   the last key it read and is included;
/// - a key written earlier in the block shows its new version, a key deleted earlier in the
///   block is gone, a key inserted earlier in the block appears;
/// - the recorded reads must be exactly the results, key for key and version for version, with
///   nothing more: `problem` says the first difference, `nil` when there is none.
enum RangeQueryReplay {
    static func problem(_ info: Kvrwset_RangeQueryInfo, namespace: String, state: WorldState, updates: InBlockUpdates) -> String? {
        let reads = info.rawReads.kvReads
        let results = Self.results(of: info, namespace: namespace, state: state, updates: updates, limit: reads.count + 1)
        let range = "range ['\(info.startKey)', '\(info.endKey)'\(info.itrExhausted ? ")" : "]") of '\(namespace)'"
        for (index, read) in reads.enumerated() {
            let recorded = Version(block: read.version.blockNum, transaction: read.version.txNum)
            guard index < results.count else {
                return "\(range): key '\(read.key)' was read but is no longer there"
            }
            let now = results[index]
            if now.key != read.key {
                return now.key.utf8.lexicographicallyPrecedes(read.key.utf8)
                    ? "\(range): key '\(now.key)' appeared before '\(read.key)'"
                    : "\(range): key '\(read.key)' was read but is no longer there"
            }
            if now.version != recorded {
                return "\(range): key '\(read.key)' was read at version \(recorded), now \(now.version)"
            }
        }
        if results.count > reads.count {
            return "\(range): key '\(results[reads.count].key)' appeared after the \(reads.count) keys read"
        }
        return nil
    }

    /// The difference between the range now and `summary`, the Merkle summary of the keys the
    /// simulation read (Fabric's hash-based check: the whole range is re-run and summarised
    /// with the same `maxDegree`), or `nil` when they are the same. `summary.maxDegree` must be
    /// at least 2.
    static func merkleProblem(_ info: Kvrwset_RangeQueryInfo, summary: Kvrwset_QueryReadsMerkleSummary, namespace: String,
                              state: WorldState, updates: InBlockUpdates) -> String? {
        let results = Self.results(of: info, namespace: namespace, state: state, updates: updates, limit: .max)
        let reads = results.map { result in
            Kvrwset_KVRead.with {
                $0.key = result.key
                $0.version = .with { $0.blockNum = result.version.block; $0.txNum = result.version.transaction }
            }
        }
        let now = RangeQueryMerkleSummary.make(reads, maxDegree: summary.maxDegree)
        guard let now, now.maxLevel == summary.maxLevel, now.maxLevelHashes == summary.maxLevelHashes else {
            let range = "range ['\(info.startKey)', '\(info.endKey)'\(info.itrExhausted ? ")" : "]") of '\(namespace)'"
            return "\(range): the \(results.count) keys there now do not match the Merkle summary of the keys read"
        }
        return nil
    }

    /// The first `limit` results of the range now: committed keys merged with the block's
    /// updates (an update wins over the committed value; a deletion hides the key).
    static func results(of info: Kvrwset_RangeQueryInfo, namespace: String, state: WorldState, updates: InBlockUpdates,
                        limit: Int) -> [(key: String, version: Version)] {
        let updated = updates.keys(in: namespace, from: info.startKey, to: info.endKey)
        // Each deletion in the block can hide one committed key, so fetch that many more.
        let (more, overflow) = limit.addingReportingOverflow(updated.count)
        let committed = state.range(namespace, from: info.startKey, to: info.endKey, limit: overflow ? .max : more)
        var results: [(key: String, version: Version)] = []
        var next = (committed: 0, updated: 0)
        while results.count < limit, next.committed < committed.count || next.updated < updated.count {
            let fromState = next.committed < committed.count ? committed[next.committed] : nil
            let fromBlock = next.updated < updated.count ? updated[next.updated] : nil
            if let fromState, fromBlock.map({ fromState.key.utf8.lexicographicallyPrecedes($0.utf8) }) ?? true {
                next.committed += 1
                results.append((key: fromState.key, version: fromState.value.version))
            } else if let fromBlock {
                // The block's update of this key (or of a key the state does not have) wins.
                if fromState?.key == fromBlock { next.committed += 1 }
                next.updated += 1
                if let update = updates[namespace, fromBlock], update.value != nil { results.append((key: fromBlock, version: update.version)) }
            }
        }
        if results.count < limit, !info.itrExhausted, let last = current(info.endKey, namespace: namespace, state: state, updates: updates) {
            results.append((key: info.endKey, version: last))
        }
        return results
    }

    /// The version of `key` now, `nil` when it is absent or deleted in the block.
    static func current(_ key: String, namespace: String, state: WorldState, updates: InBlockUpdates) -> Version? {
        if let update = updates[namespace, key] { return update.value == nil ? nil : update.version }
        return state[namespace, key]?.version
    }
}
