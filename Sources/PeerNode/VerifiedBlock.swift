import FabnetCrypto
import FabnetModel
import FabnetWire
import FabricPolicy
import FabricWire
import Foundation
import Ledger
import OperationsEndpoint
import TxValidation

/// A block as it entered this peer, checked once: parsed, its data hash matched against its
/// header and its entries well formed, its header hash computed, an orderer's signature
/// verified, and each transaction opened with its creator's and endorsers' signatures checked
/// (`CandidateTransaction`, for `BlockValidator`).
/// `GossipBlock.verified` carries it through the core unopened, so the commit only adds what
/// needs the ledger (duplicates, the channel's orgs) and appends it without parsing, hashing or
/// verifying again (`ChannelLedger.append(_:effects:)`).
///
/// Guarantees: only `GossipVerifier` makes one, after the checks; immutable (a reference, so
/// carrying it copies nothing).
final class VerifiedBlock: Sendable {
    let hashed: HashedBlock
    /// One per entry, opened, with its signatures checked.
    let transactions: [CandidateTransaction]

    /// Made by `GossipVerifier.verify(_:serialized:)` only.
    fileprivate init(_ hashed: HashedBlock, transactions: [CandidateTransaction]) {
        self.hashed = hashed
        self.transactions = transactions
    }

    var block: Common_Block { hashed.block }
    var bytes: [UInt8] { hashed.bytes }
    var number: UInt64 { hashed.number }
}

extension GossipVerifier {
    /// `block` (decoded from `bytes`) if its data matches its header and an orderer signed it,
    /// with its transactions prepared; a block whose header hash is among the recently verified
    /// skips the orderer signature check (counted as a repeat), never the data hash check.
    func verify(_ block: Common_Block, serialized bytes: [UInt8]) async -> VerifiedBlock? {
        guard let hashed = try? HashedBlock(block, serialized: bytes) else { return nil }
        if let transactions = recentBlocks.value(for: hashed.headerHash) {
            repeatedBlocks.increment()
            return VerifiedBlock(hashed, transactions: transactions)
        }
        guard (try? await identities.verifyBlock(block, ordererOrgs: ordererOrganizations)) != nil else { return nil }
        let transactions = await prepare(block.data.data)
        recentBlocks.insert(transactions, for: hashed.headerHash)
        return VerifiedBlock(hashed, transactions: transactions)
    }

    /// Opens each entry and checks its creator's and endorsers' signatures, in chunks on all cores.
    func prepare(_ entries: [Data]) async -> [CandidateTransaction] {
        let chunk = 16
        let identities = self.identities
        let spreading = NodeExecutor.spreading
        return await withTaskGroup(of: (Int, [CandidateTransaction]).self) { group in
            for start in stride(from: 0, to: entries.count, by: chunk) {
                let slice = Array(entries[start..<min(start + chunk, entries.count)])
                group.addTask(executorPreference: spreading) {
                    var prepared: [CandidateTransaction] = []
                    prepared.reserveCapacity(slice.count)
                    for entry in slice {
                        var candidate = CandidateTransaction.prepare(entry)
                        if let creator = candidate.creatorSignature {
                            candidate.recordCreator(await Self.check(creator, identities: identities))
                        }
                        for (index, endorsement) in candidate.endorsementSignatures.enumerated() {
                            candidate.recordEndorsement(index, await Self.check(endorsement, identities: identities))
                        }
                        prepared.append(candidate)
                    }
                    return (start, prepared)
                }
            }
            var chunks: [(Int, [CandidateTransaction])] = []
            for await result in group { chunks.append(result) }
            return chunks.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    /// One signature checked: the identity validated (chain, NodeOU role) and the signature over
    /// the bytes it covers.
    static func check(_ signature: SignatureToCheck, identities: ValidatedIdentityCache) async -> SignatureCheck {
        guard let identity = signature.identity else { return .rejected("the signer's identity does not decode") }
        do {
            let signer = try await identities.verify(signature: signature.signature, over: signature.signedBytes, by: WireSerializedIdentity(identity))
            return .verified(PolicySigner(signer, identity: signature.identityBytes))
        } catch {
            return .rejected("\(error)")
        }
    }
}
