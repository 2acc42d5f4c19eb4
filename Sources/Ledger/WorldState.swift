import FabricWire
import Foundation

/// Where a value was last written: the block and the transaction's index in it (Fabric's
/// `kvrwset.Version{block_num, tx_num}`).
public struct Version: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let block: UInt64
    public let transaction: UInt64

    public init(block: UInt64, transaction: UInt64) {
        self.block = block
        self.transaction = transaction
    }

    public static func < (lhs: Version, rhs: Version) -> Bool { (lhs.block, lhs.transaction) < (rhs.block, rhs.transaction) }
    public var description: String { "\(block):\(transaction)" }
}

/// A key's current value and the version that wrote it.
public struct VersionedValue: Hashable, Sendable {
    public let value: Data
    public let version: Version

    public init(value: Data, version: Version) {
        self.value = value
        self.version = version
    }
}

/// The world state: per chaincode namespace, key → value with the version that wrote it, built
/// by applying the writes of VALID transactions in block order (a later write wins, a delete
/// removes the key). Held in memory and rebuilt from the block file when a ledger opens.
///
/// Guarantees: `range` returns keys in byte order (Fabric's order for range queries), from
/// `start` inclusive to `end` exclusive (an empty `end` is open), at most `limit` of them.
public struct WorldState: Sendable {
    private var namespaces: [String: NamespaceState] = [:]

    public init() {}

    /// The value of `key` in `namespace`, or `nil`.
    public subscript(namespace: String, key: String) -> VersionedValue? { namespaces[namespace]?.values[key] }

    /// Namespaces that hold at least one key, sorted.
    public var namespaceNames: [String] { namespaces.filter { !$0.value.values.isEmpty }.keys.sorted() }

    /// Keys of `namespace` in [start, end) in byte order, at most `limit`.
    public func range(_ namespace: String, from start: String, to end: String, limit: Int = .max) -> [(key: String, value: VersionedValue)] {
        guard let state = namespaces[namespace] else { return [] }
        let keys = state.sortedKeys()
        var index = keys.partitioningIndex { !$0.utf8.lexicographicallyPrecedes(start.utf8) }
        var result: [(key: String, value: VersionedValue)] = []
        while index < keys.count, result.count < limit {
            let key = keys[index]
            if !end.isEmpty, !key.utf8.lexicographicallyPrecedes(end.utf8) { break }
            if let value = state.values[key] { result.append((key, value)) }
            index += 1
        }
        return result
    }

    /// Applies one transaction's writes in `namespace` at `version`.
    mutating func apply(_ writes: [Kvrwset_KVWrite], namespace: String, version: Version) {
        let state = namespaces[namespace] ?? NamespaceState()
        namespaces[namespace] = state
        for write in writes {
            if write.isDelete {
                state.remove(write.key)
            } else {
                state.set(write.key, VersionedValue(value: write.value, version: version))
            }
        }
    }
}

/// One namespace's keys. A reference so the sorted key list can be cached inside a value-typed
/// `WorldState`; it is rebuilt lazily after keys are added or removed (appends are frequent,
/// range queries rare, and keeping an array sorted on every insert would cost O(n) each).
final class NamespaceState: @unchecked Sendable {
    private(set) var values: [String: VersionedValue] = [:]
    private var sorted: [String]?
    private let lock = NSLock()

    func set(_ key: String, _ value: VersionedValue) {
        lock.withLock {
            if values.updateValue(value, forKey: key) == nil { sorted = nil }
        }
    }

    func remove(_ key: String) {
        lock.withLock {
            if values.removeValue(forKey: key) != nil { sorted = nil }
        }
    }

    func sortedKeys() -> [String] {
        lock.withLock {
            if let sorted { return sorted }
            let keys = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            sorted = keys
            return keys
        }
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate false then true
    /// along the array (binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
