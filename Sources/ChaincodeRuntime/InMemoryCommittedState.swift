import FabricWire
import Foundation

/// A ``CommittedState`` held in memory: tests, and small built-in states.
///
/// Guarantees: a value (copies are independent snapshots); `range` answers in Fabric's byte order
/// with `start` inclusive, `end` exclusive and an empty `end` open, as ``CommittedState`` requires.
public struct InMemoryCommittedState: CommittedState {
    /// One committed key: its value and the version that wrote it.
    public struct Entry: Sendable, Equatable {
        public var value: Data
        public var version: Kvrwset_Version

        public init(value: Data, version: Kvrwset_Version) {
            self.value = value
            self.version = version
        }
    }

    /// Per namespace, by the key's bytes (see `String.fabricKey`), with the key.
    private var namespaces: [String: [[UInt8]: (key: String, entry: Entry)]] = [:]

    public init() {}

    /// Sets `key` in `namespace` to `value`, written at block `block`, transaction `transaction`.
    public mutating func set(namespace: String, key: String, value: Data, block: UInt64, transaction: UInt64) {
        let version = Kvrwset_Version.with {
            $0.blockNum = block
            $0.txNum = transaction
        }
        namespaces[namespace, default: [:]][key.fabricKey] = (key, Entry(value: value, version: version))
    }

    /// Removes `key` from `namespace`.
    public mutating func remove(namespace: String, key: String) {
        namespaces[namespace]?[key.fabricKey] = nil
    }

    public func value(namespace: String, key: String) -> (value: Data, version: Kvrwset_Version)? {
        guard let stored = namespaces[namespace]?[key.fabricKey] else { return nil }
        return (stored.entry.value, stored.entry.version)
    }

    public func range(namespace: String, start: String, end: String) -> [(key: String, value: Data, version: Kvrwset_Version)] {
        guard let entries = namespaces[namespace] else { return [] }
        let lower = start.fabricKey, upper = end.fabricKey
        return entries
            .filter { bytes, _ in
                !bytes.lexicographicallyPrecedes(lower) && (upper.isEmpty || bytes.lexicographicallyPrecedes(upper))
            }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .map { ($0.value.key, $0.value.entry.value, $0.value.entry.version) }
    }
}
