import FabnetModel
import FabnetWire
import Foundation
import X509

/// Orderer signatures on blocks. What is signed: the block's header hash followed by its
/// serialized cut time, so neither the chain position nor the cut time can be changed without
/// breaking the signature (the data is covered through the header's data hash).
public enum BlockSignatures {
    static func signedBytes(_ block: WireBlock) throws -> Data {
        BlockHasher.headerHash(number: block.header.number, previousHash: block.header.previousHash, dataHash: block.header.dataHash)
            + (try block.metadata.cutTime.serializedBytes() as Data)
    }

    /// Adds `identity`'s signature to the block's metadata.
    public static func sign(_ block: inout WireBlock, by identity: SigningIdentity) throws {
        var signature = WireMetadataSignature()
        signature.signer = identity.serialized
        signature.signature = try identity.sign(try signedBytes(block))
        block.metadata.signatures.append(signature)
    }

    /// Checks that some signature on the block is by an orderer of `ordererOrgs`, valid under
    /// `validator`. Returns the signer.
    public static func verify(_ block: WireBlock, validator: MembershipValidator, ordererOrgs: Set<String>) async throws -> VerifiedSigner {
        try await verify(block, ordererOrgs: ordererOrgs) { try await validator.validate($0) }
    }

    /// The same, with `validate` turning a signer's identity into its validated signer and
    /// certificate (a cache of validated identities, say).
    public static func verify(_ block: WireBlock, ordererOrgs: Set<String>,
                              validate: (WireSerializedIdentity) async throws -> (signer: VerifiedSigner, certificate: X509.Certificate)) async throws -> VerifiedSigner {
        let bytes = try signedBytes(block)
        var lastError: (any Error)?
        for signature in block.metadata.signatures where ordererOrgs.contains(signature.signer.mspID) {
            do {
                let (signer, certificate) = try await validate(signature.signer)
                guard signer.role == .orderer || signer.role == .member else {
                    throw IdentityError.roleNotAllowed(mspID: signer.mspID, role: signer.role.rawValue, allowed: ["orderer"])
                }
                try EnvelopeSealing.verify(signature: signature.signature, over: bytes, certificate: certificate, mspID: signer.mspID)
                return signer
            } catch {
                lastError = error
            }
        }
        throw lastError ?? IdentityError.badSignature(mspID: ordererOrgs.sorted().joined(separator: ","), subject: "block \(block.header.number) has no orderer signature")
    }
}
