import FabnetModel
import FabnetWire
import FabricWire
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
    private var entries: [Data: (signer: VerifiedSigner, certificate: X509.Certificate)] = [:]

    public init(validator: MembershipValidator) { self.validator = validator }

    /// The signer and its certificate, validating the identity on first sight.
    public func validate(_ identity: WireSerializedIdentity) async throws -> (signer: VerifiedSigner, certificate: X509.Certificate) {
        let cacheKey = Data(identity.mspID.utf8) + [0] + identity.idBytes
        if let hit = lock.withLock({ entries[cacheKey] }) { return hit }
        let entry = try await validator.validate(identity)
        lock.withLock { entries[cacheKey] = entry }
        return entry
    }

    /// Checks a DER low-S ECDSA signature over SHA-256(data) by `identity`; returns the signer.
    public func verify(signature: Data, over data: Data, by identity: WireSerializedIdentity) async throws -> VerifiedSigner {
        let (signer, certificate) = try await validate(identity)
        try EnvelopeSealing.verify(signature: signature, over: data, certificate: certificate, mspID: signer.mspID)
        return signer
    }

    /// Checks that some signature on `block` is by an orderer of `ordererOrgs`; returns the signer.
    public func verifyBlock(_ block: Common_Block, ordererOrgs: Set<String>) async throws -> VerifiedSigner {
        try await BlockSignatures.verify(block, ordererOrgs: ordererOrgs) { try await validate($0) }
    }
}

extension WireSerializedIdentity {
    /// Fabric's `msp.SerializedIdentity` as fabnet's (the same fields and wire bytes).
    public init(_ identity: Msp_SerializedIdentity) {
        self.init()
        mspID = identity.mspid
        idBytes = identity.idBytes
    }
}

extension ValidatedIdentityCache {
    /// The signer of a Fabric envelope whose header names `creator`: its identity validated and
    /// its signature over the payload checked (low S).
    public func verifyCreator(of envelope: Common_Envelope, creator: Msp_SerializedIdentity) async throws -> VerifiedSigner {
        try await verify(signature: envelope.signature, over: envelope.payload, by: WireSerializedIdentity(creator))
    }

    /// The signer of a Deliver seek envelope, refused as Fabric's deliver service refuses one:
    /// BAD_REQUEST when its creator does not decode, FORBIDDEN when its signature does not verify.
    public func verifySeek(_ seek: Common_Envelope) async throws(SeekSignatureProblem) -> VerifiedSigner {
        guard let view = try? EnvelopeView.open(seek) else { throw .undecodable }
        do {
            return try await verifyCreator(of: seek, creator: view.creator)
        } catch {
            throw .badSignature("\(error)")
        }
    }
}

/// Why a seek envelope's signer could not be established.
public enum SeekSignatureProblem: Error, CustomStringConvertible {
    case undecodable
    case badSignature(String)

    public var description: String {
        switch self {
        case .undecodable: "the seek envelope's creator does not decode"
        case .badSignature(let reason): "the seek's signature does not verify: \(reason)"
        }
    }
}
