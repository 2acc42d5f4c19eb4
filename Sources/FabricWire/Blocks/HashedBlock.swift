import Foundation

/// A Fabric block whose data was checked against its header, with its header hash computed once,
/// and the bytes it was decoded from: what a ledger appends without parsing or hashing it again.
///
/// Guarantees: only `init(_:serialized:)` makes one, and it refuses a block whose data hash does
/// not match its entries or whose entries are not well formed (`BlockDataRules`), so a
/// `HashedBlock` never carries cross-linked transactions; `headerHash` is
/// `BlockHeaderBytes.hash(block.header)`. `bytes` is the caller's word for `block`'s encoding
/// (what it was decoded from, or what encoding it gave); it is not parsed again to check.
public struct HashedBlock: Sendable {
    public let block: Common_Block
    public let bytes: [UInt8]
    public let headerHash: Data

    /// Why a block was refused.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case dataHashMismatch
        case notWellFormed(String)

        public var description: String {
            switch self {
            case .dataHashMismatch: "its data hash does not match its transactions"
            case .notWellFormed(let reason): "its transactions are not well formed: \(reason)"
            }
        }
    }

    public init(_ block: Common_Block, serialized bytes: [UInt8]) throws(Problem) {
        guard BlockDataRules.dataHash(block.data.data) == block.header.dataHash else { throw .dataHashMismatch }
        if let problem = BlockDataRules.wellFormedProblem(block.data.data) { throw .notWellFormed(problem) }
        self.block = block
        self.bytes = bytes
        headerHash = BlockHeaderBytes.hash(block.header)
    }

    public var number: UInt64 { block.header.number }
}
