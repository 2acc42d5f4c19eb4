import FabnetModel
import FabnetWire
import FabricWire
import Foundation
import SwiftProtobuf
import X509

/// Orderer signatures on Fabric blocks, written and checked as Fabric's orderer and peers do:
/// metadata slot SIGNATURES holds `Metadata{value = OrdererBlockMetadata{last_config,
/// consenter_metadata}, signatures = [MetadataSignature{signature_header, signature}]}`, each
/// signature over `value ‖ signature_header ‖ BlockHeaderBytes(header)`.
///
/// Guarantees: a verified block's header (and so, through the data hash, its transactions), its
/// last-config index and its consenter metadata (fabnet's cut time) are what an orderer of one of
/// the channel's orderer orgs signed; the other metadata slots (the peers' flags) are not covered,
/// as in Fabric.
public enum BlockSignatures {
    /// Writes the SIGNATURES slot (and LAST_CONFIG, which older SDKs still read) signed by
    /// `identity`; `consenterMetadata` is kept inside the signed value.
    public static func sign(_ block: inout Common_Block, consenterMetadata: Data, lastConfig: UInt64 = 0,
                            by identity: SigningIdentity) throws {
        if block.metadata.metadata.count < 5 { block.metadata = BlockMetadataLayout.empty }
        var value = Common_OrdererBlockMetadata()
        value.lastConfig.index = lastConfig
        value.consenterMetadata = consenterMetadata
        let valueBytes: Data = try value.serializedBytes()
        var header = Common_SignatureHeader()
        header.creator = try identity.serialized.serializedBytes()
        header.nonce = FabricTransactionID.randomNonce()
        var signature = Common_MetadataSignature()
        signature.signatureHeader = try header.serializedBytes()
        signature.signature = try identity.sign(BlockMetadataLayout.signedBytes(
            value: valueBytes, signatureHeader: signature.signatureHeader, header: block.header))
        var metadata = Common_Metadata()
        metadata.value = valueBytes
        metadata.signatures = [signature]
        block.metadata.metadata[Int(Common_BlockMetadataIndex.signatures.rawValue)] = try metadata.serializedBytes()
        var lastConfigValue = Common_Metadata()
        lastConfigValue.value = try Common_LastConfig.with { $0.index = lastConfig }.serializedBytes()
        block.metadata.metadata[Int(Common_BlockMetadataIndex.lastConfig.rawValue)] = try lastConfigValue.serializedBytes()
    }

    /// Checks that some signature on the block is by an orderer of `ordererOrgs`, valid under
    /// `validator`. Returns the signer.
    public static func verify(_ block: Common_Block, validator: MembershipValidator, ordererOrgs: Set<String>) async throws -> VerifiedSigner {
        try await verify(block, ordererOrgs: ordererOrgs) { try await validator.validate($0) }
    }

    /// The same, with `validate` turning a signer's identity into its validated signer and
    /// certificate (a cache of validated identities, say).
    public static func verify(_ block: Common_Block, ordererOrgs: Set<String>,
                              validate: (WireSerializedIdentity) async throws -> (signer: VerifiedSigner, certificate: X509.Certificate)) async throws -> VerifiedSigner {
        let missing = IdentityError.badSignature(mspID: ordererOrgs.sorted().joined(separator: ","),
                                                 subject: "block \(block.header.number) has no orderer signature")
        guard let metadata = BlockMetadataLayout.signatures(of: block) else { throw missing }
        var lastError: (any Error)?
        for signature in metadata.signatures {
            do {
                guard let header = try? Common_SignatureHeader(serializedBytes: signature.signatureHeader),
                      let creator = try? WireSerializedIdentity(serializedBytes: header.creator) else {
                    throw IdentityError.badSignature(mspID: "?", subject: "block \(block.header.number): a signature header does not decode")
                }
                guard ordererOrgs.contains(creator.mspID) else { continue }
                let (signer, certificate) = try await validate(creator)
                guard signer.role == .orderer || signer.role == .member else {
                    throw IdentityError.roleNotAllowed(mspID: signer.mspID, role: signer.role.rawValue, allowed: ["orderer"])
                }
                let bytes = BlockMetadataLayout.signedBytes(value: metadata.value, signatureHeader: signature.signatureHeader, header: block.header)
                try EnvelopeSealing.verify(signature: signature.signature, over: bytes, certificate: certificate, mspID: signer.mspID)
                return signer
            } catch {
                lastError = error
            }
        }
        throw lastError ?? missing
    }
}
