import FabricWire
import Foundation

/// Where a committed transaction is and how it was judged.
public struct TransactionLocation: Hashable, Sendable {
    public let block: UInt64
    public let index: UInt64
    public let code: Protos_TxValidationCode
}

/// Transaction id → the first block and position that carried it, with its validation code
/// (Fabric keeps the first too: a later copy of the id is a DUPLICATE_TXID and does not replace
/// it).
///
/// Guarantees: an id is indexed once, by its first occurrence in block order; entries that are
/// not endorser or config transactions with an id are not indexed.
public struct TransactionIndex: Sendable {
    private var locations: [String: TransactionLocation] = [:]

    public init() {}

    public subscript(txID: String) -> TransactionLocation? { locations[txID] }
    public func contains(_ txID: String) -> Bool { locations[txID] != nil }
    public var count: Int { locations.count }

    mutating func record(_ txID: String, _ location: TransactionLocation) {
        guard !txID.isEmpty, locations[txID] == nil else { return }
        locations[txID] = location
    }
}
