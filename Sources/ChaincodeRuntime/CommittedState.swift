import FabricWire
import Foundation

/// The world state a transaction is simulated against: what the peer has committed, per chaincode
/// namespace, with the version (`{block_num, tx_num}`) that last wrote each key.
///
/// Conformers guarantee, for the whole life of one simulation (pass a snapshot, such as a copy of
/// a value-typed world state, not something a commit can change underneath):
/// - `value(namespace:key:)` is the committed value and its version, or `nil` when the key is
///   absent (deleted keys are absent);
/// - `range(namespace:start:end:)` holds every present key `k` with `start <= k < end` in byte
///   order (UTF-8, as Go compares strings; not Swift's `<` on `String`), an empty `end` meaning no
///   upper bound, sorted in that order, each with its value and version.
public protocol CommittedState: Sendable {
    func value(namespace: String, key: String) -> (value: Data, version: Kvrwset_Version)?
    func range(namespace: String, start: String, end: String) -> [(key: String, value: Data, version: Kvrwset_Version)]
}

extension String {
    /// Fabric's key order: byte-wise on UTF-8, as Go compares strings.
    @inlinable
    func precedesInFabricOrder(_ other: String) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// The key as Fabric tells keys apart: by their bytes. (Swift's `==` on `String` is canonical
    /// equivalence, so "é" and "e" + U+0301 would be one dictionary key; for Fabric they are two.)
    @inlinable
    var fabricKey: [UInt8] { Array(utf8) }
}
