import FabricWire
import Foundation

/// Names one range query opened by a ``TransactionSimulator`` (unique within that simulator).
public struct RangeQueryID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public var description: String { "\(rawValue)" }
}

/// The next records of a range query, as the simulator hands them out.
public struct RangeBatch: Sendable, Equatable {
    /// The records, in Fabric's byte order of keys.
    public var records: [Queryresult_KV]
    /// Whether the query has records after these (for a paginated query: in its page).
    public var hasMore: Bool
}

/// One range query inside a simulation: its committed records (fixed when it was opened) and
/// what the chaincode has read of them, which becomes Fabric's `RangeQueryInfo` for phantom-read
/// validation.
///
/// Guarantees (as Fabric's query executor records them): `startKey` is the key the query started
/// from; while records remain, `endKey` is the last key handed out and `exhausted` is false; once
/// the last record of the range has been handed out, `endKey` is the query's end key and
/// `exhausted` is true. For a paginated query the page is the range: if keys remain after the
/// page, it ends unexhausted at the page's last key, and `bookmark` is the next key.
struct RangeQuery: Sendable {
    let namespace: String
    let startKey: String
    let queryEndKey: String
    /// The records this query may hand out (a paginated query: its page).
    let records: [(key: String, value: Data, version: Kvrwset_Version)]
    /// Whether committed keys of the range follow `records` (a page that is not the last).
    let moreAfterRecords: Bool
    /// For a paginated query: the key the next page starts at, or "" after the last page.
    let bookmark: String?

    private(set) var position = 0
    private(set) var reads: [Kvrwset_KVRead] = []
    private(set) var endKey = ""
    private(set) var exhausted = false

    init(namespace: String, startKey: String, endKey: String,
         committed: [(key: String, value: Data, version: Kvrwset_Version)], pageSize: Int?) {
        self.namespace = namespace
        self.startKey = startKey
        self.queryEndKey = endKey
        if let pageSize, pageSize < committed.count {
            records = Array(committed.prefix(pageSize))
            moreAfterRecords = true
            bookmark = committed[pageSize].key
        } else {
            records = committed
            moreAfterRecords = false
            bookmark = pageSize == nil ? nil : ""
        }
    }

    /// Hands out up to `limit` further records, recording each as read with its version.
    mutating func next(limit: Int) -> RangeBatch {
        let end = min(records.count, position + max(limit, 0))
        var batch: [Queryresult_KV] = []
        batch.reserveCapacity(end - position)
        for record in records[position..<end] {
            batch.append(.with {
                $0.namespace = namespace
                $0.key = record.key
                $0.value = record.value
            })
            reads.append(.with {
                $0.key = record.key
                $0.version = record.version
            })
            endKey = record.key
        }
        position = end
        if position == records.count && !moreAfterRecords {
            exhausted = true
            endKey = queryEndKey
        }
        return RangeBatch(records: batch, hasMore: position < records.count)
    }

    /// Fabric's `RangeQueryInfo` for what has been read so far (raw reads; none recorded when
    /// nothing was read, as Fabric leaves `reads_info` unset then).
    var info: Kvrwset_RangeQueryInfo {
        var info = Kvrwset_RangeQueryInfo()
        info.startKey = startKey
        info.endKey = endKey
        info.itrExhausted = exhausted
        if !reads.isEmpty {
            info.rawReads = Kvrwset_QueryReads.with { $0.kvReads = reads }
        }
        return info
    }
}
