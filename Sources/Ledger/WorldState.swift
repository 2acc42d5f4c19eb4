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
/// Guarantees: a value type: a copy is a snapshot that later commits do not change (what an
/// endorser simulates against); `range` returns keys in byte order (Fabric's order for range
/// queries), from `start` inclusive to `end` exclusive (an empty `end` is open), at most `limit`.
public struct WorldState: Sendable {
    private var namespaces: [String: NamespaceState] = [:]

    public init() {}

    /// The identity of `namespace`'s key storage, for tests: a commit updates it in place (a
    /// copy-on-write copy of the whole namespace per block made commits grow with the state).
    func storageIdentity(of namespace: String) -> ObjectIdentifier? {
        namespaces[namespace].map { ObjectIdentifier(unsafeBitCast($0.values, to: AnyObject.self)) }
    }

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
        var state = namespaces[namespace] ?? NamespaceState()
        namespaces[namespace] = nil  // unique, so the writes below do not copy the dictionary
        for write in writes {
            if write.isDelete {
                state.remove(write.key)
            } else {
                state.set(write.key, VersionedValue(value: write.value, version: version))
            }
        }
        namespaces[namespace] = state
    }
}

/// One namespace's keys, and their byte order computed once per set of keys: a change of the
/// keys replaces the cache box with a new empty one (never fills an old one), so copies made
/// before keep theirs and a snapshot never sees keys it does not hold. Appends are frequent and
/// range queries rare, so the order is computed lazily rather than kept on every insert.
struct NamespaceState: Sendable {
    private(set) var values: [String: VersionedValue] = [:]
    private var order = SortedKeys()

    mutating func set(_ key: String, _ value: VersionedValue) {
        if values.updateValue(value, forKey: key) == nil { order = SortedKeys() }
    }

    mutating func remove(_ key: String) {
        if values.removeValue(forKey: key) != nil { order = SortedKeys() }
    }

    func sortedKeys() -> [String] { order.keys(of: values) }
}

/// A lazily filled sorted key list for one fixed set of keys (see `NamespaceState`).
final class SortedKeys: @unchecked Sendable {
    private let lock = NSLock()
    private var sorted: [String]?

    func keys(of values: [String: VersionedValue]) -> [String] {
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
