import FabnetModel
import FabnetWire
import Foundation

/// A block as it entered this peer, checked once: parsed, its data hash matched against its
/// header, its header hash computed, an orderer's signature verified. `GossipBlock.verified`
/// carries it through the core unopened, so the commit appends it without parsing or hashing
/// again (`ChannelLedger.append(_: HashedBlock)`).
///
/// Guarantees: only `GossipVerifier` makes one, after the checks; immutable (a reference, so
/// carrying it copies nothing).
final class VerifiedBlock: Sendable {
    let hashed: HashedBlock

    /// Made by `GossipVerifier.verify(_:serialized:)` only.
    fileprivate init(_ hashed: HashedBlock) { self.hashed = hashed }

    var block: WireBlock { hashed.block }
    var bytes: [UInt8] { hashed.bytes }
    var number: UInt64 { hashed.number }
}

extension GossipVerifier {
    /// `block` (decoded from `bytes`, or encoded into them) if its data matches its header and an
    /// orderer signed it; a block whose header hash is among the recently verified skips the
    /// signature check (counted as a repeat), never the data hash check.
    func verify(_ block: WireBlock, serialized bytes: [UInt8]) async -> VerifiedBlock? {
        guard let hashed = HashedBlock(block, serialized: bytes) else { return nil }
        if recentBlocks.value(for: hashed.headerHash) != nil {
            repeatedBlocks.increment()
            return VerifiedBlock(hashed)
        }
        guard (try? await identities.verifyBlock(block, ordererOrgs: ordererOrganizations)) != nil else { return nil }
        recentBlocks.insert(true, for: hashed.headerHash)
        return VerifiedBlock(hashed)
    }
}
