import Crypto
import FabricWire
import Foundation

/// What `fabnet check` compares between peers of a channel: per block, the hash of its header
/// (which chains every earlier block and covers its transactions) and a hash of this peer's
/// validation flags (its TRANSACTIONS_FILTER, outside the header); and a digest of the world
/// state.
///
/// Guarantees: two peers' digests are equal exactly when their block headers (and so the blocks'
/// data and chain), validation flags and world states are (up to SHA-256 collisions; other
/// metadata, such as the orderer's signatures, is not compared); computing one changes nothing.
public struct LedgerDigest: Sendable, Equatable {
    /// One block's hashes: its header's and its validation flags'.
    public struct Block: Sendable, Equatable {
        public let header: [UInt8]
        public let flags: [UInt8]

        public init(header: [UInt8], flags: [UInt8]) {
            self.header = header
            self.flags = flags
        }
    }

    public let blocks: [Block]
    public let state: [UInt8]

    public init(blocks: [Block], state: [UInt8]) {
        self.blocks = blocks
        self.state = state
    }
}

extension ChannelLedger {
    /// This ledger's digest: every block read back from the block file (a slow walk of the
    /// whole chain, for checks, not for the commit path).
    public func digest() throws -> LedgerDigest {
        var blocks: [LedgerDigest.Block] = []
        blocks.reserveCapacity(Int(height))
        for number in 0..<height {
            guard let block = try block(number) else {
                throw LedgerError.notWellFormed(channel: channel, block: number, reason: "missing below the ledger's height")
            }
            blocks.append(LedgerDigest.Block(header: [UInt8](BlockHeaderBytes.hash(block.header)),
                                             flags: Array(SHA256.hash(data: BlockMetadataLayout.transactionsFilter(of: block)))))
        }
        return LedgerDigest(blocks: blocks, state: state.digest())
    }
}

extension WorldState {
    /// SHA-256 over every key in namespace order, then key byte order: the namespace, the key and
    /// the value (each a 4-byte big-endian length and its bytes) and the version (block and
    /// transaction, 8 bytes each, big-endian).
    public func digest() -> [UInt8] {
        var hasher = SHA256()
        func length(_ count: Int) { withUnsafeBytes(of: UInt32(count).bigEndian) { hasher.update(bufferPointer: $0) } }
        func number(_ value: UInt64) { withUnsafeBytes(of: value.bigEndian) { hasher.update(bufferPointer: $0) } }
        for namespace in namespaceNames {
            let name = Data(namespace.utf8)
            for (key, value) in range(namespace, from: "", to: "") {
                length(name.count)
                hasher.update(data: name)
                let keyBytes = Data(key.utf8)
                length(keyBytes.count)
                hasher.update(data: keyBytes)
                length(value.value.count)
                hasher.update(data: value.value)
                number(value.version.block)
                number(value.version.transaction)
            }
        }
        return Array(hasher.finalize())
    }
}
