import Foundation

/// A block whose data hash was checked against its header, with its header hash computed once,
/// and the bytes it was decoded from: what a ledger appends without parsing or hashing it again.
///
/// Guarantees: only `init?(_:serialized:)` makes one, and it computes both hashes, so
/// `block.header.dataHash` matches `block.data` and `headerHash` is the header's hash.
/// `bytes` is the caller's word for `block`'s serialization (what it was decoded from, or what
/// encoding it gave); it is not parsed again to check.
public struct HashedBlock: Sendable {
    public let block: WireBlock
    public let bytes: [UInt8]
    /// `BlockHasher.headerHash` of `block.header`.
    public let headerHash: Data

    /// `nil` when the data does not match the header's data hash.
    public init?(_ block: WireBlock, serialized bytes: [UInt8]) {
        guard BlockHasher.dataHash(block.data.transactions) == block.header.dataHash else { return nil }
        self.block = block
        self.bytes = bytes
        headerHash = BlockHasher.headerHash(number: block.header.number, previousHash: block.header.previousHash,
                                            dataHash: block.header.dataHash)
    }

    public var number: UInt64 { block.header.number }
}
