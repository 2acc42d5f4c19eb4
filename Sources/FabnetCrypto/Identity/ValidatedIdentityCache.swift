import Crypto
import FabnetModel
import FabnetWire
import Foundation
import X509

/// Remembers identities a `MembershipValidator` accepted, so a node that sees the same few
/// identities thousands of times (gossip relays every peer's signed messages) validates each
/// certificate chain once and then only checks signatures.
///
/// Guarantees: an entry exists only for an identity the validator accepted; refusals are not
/// cached (they are retried, and logged by the caller). Certificates are not re-checked for
/// expiry while cached: fine for a local testnet, whose certificates outlive its processes.
public final class ValidatedIdentityCache: @unchecked Sendable {
    public let validator: MembershipValidator
    private let lock = NSLock()
    private var entries: [Data: (signer: VerifiedSigner, key: P256.Signing.PublicKey, certificate: X509.Certificate)] = [:]

    public init(validator: MembershipValidator) { self.validator = validator }

    /// The signer and its public key, validating the identity on first sight.
    public func validate(_ identity: WireSerializedIdentity) async throws -> (signer: VerifiedSigner, key: P256.Signing.PublicKey, certificate: X509.Certificate) {
        let cacheKey = Data(identity.mspID.utf8) + [0] + identity.idBytes
        if let hit = lock.withLock({ entries[cacheKey] }) { return hit }
        let (signer, certificate) = try await validator.validate(identity)
        guard let key = P256.Signing.PublicKey(certificate.publicKey) else {
            throw IdentityError.badSignature(mspID: signer.mspID, subject: "\(certificate.subject): not a P-256 key")
        }
        let entry = (signer, key, certificate)
        lock.withLock { entries[cacheKey] = entry }
        return entry
    }

    /// Checks a DER low-S ECDSA signature over SHA-256(data) by `identity`; returns the signer.
    public func verify(signature: Data, over data: Data, by identity: WireSerializedIdentity) async throws -> VerifiedSigner {
        let (signer, key, certificate) = try await validate(identity)
        guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else {
            throw IdentityError.badSignature(mspID: signer.mspID, subject: certificate.subject.description)
        }
        guard LowSSignature.hasLowS(parsed) else { throw IdentityError.highS }
        guard key.isValidSignature(parsed, for: data) else { throw IdentityError.badSignature(mspID: signer.mspID, subject: certificate.subject.description) }
        return signer
    }

    /// Checks that some signature on `block` is by an orderer of `ordererOrgs`; returns the signer.
    public func verifyBlock(_ block: WireBlock, ordererOrgs: Set<String>) async throws -> VerifiedSigner {
        let bytes = try BlockSignatures.signedBytes(block)
        var lastError: (any Error)?
        for signature in block.metadata.signatures where ordererOrgs.contains(signature.signer.mspID) {
            do {
                let signer = try await verify(signature: signature.signature, over: bytes, by: signature.signer)
                guard signer.role == .orderer || signer.role == .member else {
                    throw IdentityError.roleNotAllowed(mspID: signer.mspID, role: signer.role.rawValue, allowed: ["orderer"])
                }
                return signer
            } catch {
                lastError = error
            }
        }
        throw lastError ?? IdentityError.badSignature(mspID: ordererOrgs.sorted().joined(separator: ","), subject: "block \(block.header.number) has no orderer signature")
    }
}
