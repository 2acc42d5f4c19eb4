import FabricWire
import Foundation
import SwiftProtobuf

/// Simulates one transaction against a ``CommittedState`` and records its read-write set, as
/// Fabric's transaction simulator does. A value type with no I/O.
///
/// Guarantees:
/// - Reads see committed state only, never this transaction's own writes (Fabric has no
///   read-your-writes). Each key read is recorded once with its committed version, or with no
///   version when it is absent.
/// - Writes and deletes are recorded per key, the last one winning; putting an empty value
///   records a delete (Fabric cannot tell an empty value from none on the wire).
/// - Range queries hand out committed records in pages and record Fabric's `RangeQueryInfo`
///   (start key, end key, exhausted, raw reads); their records are not added to the plain reads.
///   A paginated query (with a page size) is refused after a write and makes later writes fail,
///   as Fabric allows pagination only in read-only transactions.
/// - ``readWriteSet()`` is deterministic: namespaces, reads and writes sorted by key bytes as
///   Fabric's `RWSetBuilder` sorts them, range queries in the order they were opened (a repeat of
///   the same start, end and exhaustion kept once). Two peers at the same height that run the same
///   chaincode calls produce the same bytes.
public struct TransactionSimulator: Sendable {
    private let state: any CommittedState
    // Per namespace, by the key's bytes (see `String.fabricKey`).
    private var reads: [String: [[UInt8]: Kvrwset_KVRead]] = [:]
    private var writes: [String: [[UInt8]: Kvrwset_KVWrite]] = [:]
    private var rangeQueries: [RangeQuery] = []
    private var touched: Set<String> = []
    private var madePaginatedQuery = false

    public init(state: any CommittedState) {
        self.state = state
    }

    /// Whether the transaction has written or deleted anything.
    public var hasWrites: Bool { writes.values.contains { !$0.isEmpty } }

    /// The committed value of `key` (nil when absent); records the read.
    public mutating func getState(namespace: String, key: String) -> Data? {
        touched.insert(namespace)
        let committed = state.value(namespace: namespace, key: key)
        reads[namespace, default: [:]][key.fabricKey] = Kvrwset_KVRead.with {
            $0.key = key
            if let committed { $0.version = committed.version }
        }
        return committed?.value
    }

    /// Records a write of `value` to `key` (an empty value records a delete).
    public mutating func putState(namespace: String, key: String, value: Data) throws(SimulationError) {
        guard !key.isEmpty else { throw .emptyKey(namespace: namespace) }
        guard !madePaginatedQuery else { throw .writeAfterPaginatedQuery(namespace: namespace, key: key) }
        touched.insert(namespace)
        writes[namespace, default: [:]][key.fabricKey] = Kvrwset_KVWrite.with {
            $0.key = key
            $0.isDelete = value.isEmpty
            $0.value = value
        }
    }

    /// Records a delete of `key`.
    public mutating func deleteState(namespace: String, key: String) throws(SimulationError) {
        try putState(namespace: namespace, key: key, value: Data())
    }

    /// Opens a range query over committed keys `start <= k < end` (an empty `end` is open). With a
    /// `pageSize`, the query covers one page of that many records starting at `start`.
    public mutating func openRangeQuery(namespace: String, start: String, end: String,
                                        pageSize: Int? = nil) throws(SimulationError) -> RangeQueryID {
        if pageSize != nil {
            guard !hasWrites else { throw .paginatedQueryAfterWrite(namespace: namespace) }
            madePaginatedQuery = true
        }
        touched.insert(namespace)
        let committed = state.range(namespace: namespace, start: start, end: end)
        rangeQueries.append(RangeQuery(namespace: namespace, startKey: start, endKey: end,
                                       committed: committed, pageSize: pageSize))
        return RangeQueryID(rawValue: rangeQueries.count - 1)
    }

    /// Hands out up to `limit` further records of `query`, recording them as read.
    public mutating func next(_ query: RangeQueryID, limit: Int) throws(SimulationError) -> RangeBatch {
        guard rangeQueries.indices.contains(query.rawValue) else { throw .unknownRangeQuery(query) }
        return rangeQueries[query.rawValue].next(limit: limit)
    }

    /// For a paginated query: the key its next page starts at ("" after the last page); nil for
    /// a query without a page size.
    public func bookmark(_ query: RangeQueryID) -> String? {
        rangeQueries.indices.contains(query.rawValue) ? rangeQueries[query.rawValue].bookmark : nil
    }

    /// The transaction's read-write set so far, in Fabric's order (see the type's guarantees).
    public func readWriteSet() throws -> Rwset_TxReadWriteSet {
        var result = Rwset_TxReadWriteSet()
        result.dataModel = .kv
        for namespace in touched.sorted(by: { $0.precedesInFabricOrder($1) }) {
            var kv = Kvrwset_KVRWSet()
            kv.reads = Self.sortedByKey(reads[namespace]).map(\.value)
            kv.rangeQueriesInfo = rangeQueryInfos(namespace)
            kv.writes = Self.sortedByKey(writes[namespace]).map(\.value)
            let bytes: Data = try kv.serializedBytes()
            result.nsRwset.append(Rwset_NsReadWriteSet.with {
                $0.namespace = namespace
                $0.rwset = bytes
            })
        }
        return result
    }

    private func rangeQueryInfos(_ namespace: String) -> [Kvrwset_RangeQueryInfo] {
        struct Identity: Hashable {
            let start: String
            let end: String
            let exhausted: Bool
        }
        var seen: Set<Identity> = []
        var infos: [Kvrwset_RangeQueryInfo] = []
        for query in rangeQueries where query.namespace == namespace {
            let info = query.info
            if seen.insert(Identity(start: info.startKey, end: info.endKey, exhausted: info.itrExhausted)).inserted {
                infos.append(info)
            }
        }
        return infos
    }

    private static func sortedByKey<Value>(_ entries: [[UInt8]: Value]?) -> [(key: [UInt8], value: Value)] {
        (entries ?? [:]).sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }
}
