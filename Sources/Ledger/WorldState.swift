import FabnetWire
import Foundation

/// Where a value was last written: the block and the transaction's index in it.
public struct Version: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let block: UInt64
    public let transaction: Int

    public static func < (lhs: Version, rhs: Version) -> Bool { (lhs.block, lhs.transaction) < (rhs.block, rhs.transaction) }
    public var description: String { "\(block):\(transaction)" }
}

/// A key's current value and the version that wrote it.
public struct VersionedValue: Hashable, Sendable {
    public let value: Data
    public let version: Version
}

/// Key → value built by applying committed transactions in block order: later writes win, a
/// delete removes the key. Held in memory and rebuilt from the block file when a ledger opens
/// (the scan that checks the hash chain reads every block anyway).
public struct WorldState: Sendable {
    public private(set) var values: [String: VersionedValue] = [:]
    /// Transactions whose envelope or payload could not be decoded (they change nothing).
    public private(set) var skippedTransactions = 0

    public init() {}

    public subscript(key: String) -> VersionedValue? { values[key] }

    mutating func apply(_ block: WireBlock) {
        for (index, bytes) in block.data.transactions.enumerated() {
            guard let envelope = try? WireEnvelope(serializedBytes: bytes),
                  let transaction = try? WireTransaction(serializedBytes: envelope.payload) else {
                skippedTransactions += 1
                continue
            }
            let version = Version(block: block.header.number, transaction: index)
            for write in transaction.writes {
                if write.isDelete {
                    values[write.key] = nil
                } else {
                    values[write.key] = VersionedValue(value: write.value, version: version)
                }
            }
        }
    }
}
