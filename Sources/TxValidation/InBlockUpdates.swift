import FabricWire
import Foundation
import Ledger

/// The writes of the transactions already judged VALID earlier in the block being validated,
/// per namespace: what later transactions of the block are checked against on top of the
/// committed state (Fabric's update batch).
///
/// Guarantees: a later write of a key replaces an earlier one; a delete is kept as a
/// tombstone (`value == nil`), so "written earlier in the block" includes deletes; versions
/// are `(block, index of the writing transaction)`.
struct InBlockUpdates: Sendable {
    struct Update: Sendable, Hashable {
        /// `nil`: the key was deleted.
        let value: Data?
        let version: Version
    }

    private var namespaces: [String: [String: Update]] = [:]

    subscript(namespace: String, key: String) -> Update? { namespaces[namespace]?[key] }

    /// Records one VALID transaction's writes at `version`.
    mutating func apply(_ sets: [EndorserTransaction.NamespaceSet], version: Version) {
        for set in sets where !set.set.writes.isEmpty {
            var keys = namespaces[set.namespace] ?? [:]
            for write in set.set.writes {
                keys[write.key] = Update(value: write.isDelete ? nil : write.value, version: version)
            }
            namespaces[set.namespace] = keys
        }
    }

    /// The keys of `namespace` written in the block that fall in the range from `start`
    /// (inclusive) to `end` (exclusive; empty: no end), in byte order.
    func keys(in namespace: String, from start: String, to end: String) -> [String] {
        guard let written = namespaces[namespace] else { return [] }
        return written.keys.filter { key in
            !key.utf8.lexicographicallyPrecedes(start.utf8) && (end.isEmpty || key.utf8.lexicographicallyPrecedes(end.utf8))
        }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
