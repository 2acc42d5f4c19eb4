import FabricWire
import Foundation
import Ledger

/// Fabric's state checks of a transaction's reads at commit, namespace by namespace in the
/// order the read-write set lists them, and in each its key reads before its range queries.
///
/// Guarantees (`problem` is `nil` when none applies):
/// - MVCC_READ_CONFLICT when a key read was written (or deleted) by an earlier VALID
///   transaction of the same block, or when the version read is not the committed one (a read
///   without a version means the key was absent, and must still be);
/// - PHANTOM_READ_CONFLICT when a range query re-run gives other keys or versions than the
///   raw reads recorded (`RangeQueryReplay`), or, for a range recorded as a Merkle summary of its reads (Fabric's simulator does so past
///   50 keys), when the summary of the re-run differs (`RangeQueryMerkleSummary`); a summary of
///   degree below 2, which Fabric cannot build, is INVALID_OTHER_REASON.
enum ReadConflicts {
    static func problem(_ namespaces: [EndorserTransaction.NamespaceSet], state: WorldState, updates: InBlockUpdates) -> TransactionVerdict? {
        for namespace in namespaces {
            let name = namespace.namespace
            for read in namespace.set.reads {
                if let update = updates[name, read.key] {
                    return TransactionVerdict(.mvccReadConflict, "key '\(read.key)' of '\(name)' was \(update.value == nil ? "deleted" : "written") by transaction \(update.version.transaction) earlier in this block")
                }
                let committed = state[name, read.key]?.version
                let recorded = read.hasVersion ? Version(block: read.version.blockNum, transaction: read.version.txNum) : nil
                if committed != recorded {
                    return TransactionVerdict(.mvccReadConflict, "key '\(read.key)' of '\(name)' was read \(describe(recorded)), but it is \(describe(committed)) now")
                }
            }
            for range in namespace.set.rangeQueriesInfo {
                if case .readsMerkleHashes(let summary) = range.readsInfo {
                    guard summary.maxDegree >= 2 else {
                        return TransactionVerdict(.invalidOtherReason, "a range query of '\(name)' has a Merkle summary of degree \(summary.maxDegree); Fabric's are at least 2")
                    }
                    if let problem = RangeQueryReplay.merkleProblem(range, summary: summary, namespace: name, state: state, updates: updates) {
                        return TransactionVerdict(.phantomReadConflict, problem)
                    }
                } else if let problem = RangeQueryReplay.problem(range, namespace: name, state: state, updates: updates) {
                    return TransactionVerdict(.phantomReadConflict, problem)
                }
            }
        }
        return nil
    }

    static func describe(_ version: Version?) -> String {
        version.map { "at version \($0)" } ?? "absent"
    }
}
