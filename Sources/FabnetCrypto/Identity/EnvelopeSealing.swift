import Crypto
@_spi(Verification) import FabnetModel
import FabnetWire
import Foundation
import SwiftProtobuf
import X509

/// Signing messages into envelopes, and the only way back out: `open` checks the creator's
/// identity and signature before handing out a `Verified` value.
public enum EnvelopeSealing {
    /// `message` serialized and signed by `identity`.
    public static func seal(_ message: some SwiftProtobuf.Message, by identity: SigningIdentity) throws -> WireEnvelope {
        var envelope = WireEnvelope()
        envelope.payload = try message.serializedBytes()
        envelope.signature = try identity.sign(envelope.payload)
        return envelope
    }

    /// Decodes the payload as `M`, validates the identity `creator(M)` names, and checks the
    /// signature with its certificate (low S required).
    public static func open<M: SwiftProtobuf.Message>(
        _ envelope: WireEnvelope, as type: M.Type, creator: (M) -> WireSerializedIdentity,
        validator: MembershipValidator, at time: Date = Date()
    ) async throws -> Verified<M> {
        let message: M = try payload(of: envelope)
        let (signer, certificate) = try await validator.validate(creator(message), at: time)
        try verify(signature: envelope.signature, over: envelope.payload, certificate: certificate, mspID: signer.mspID)
        return Verified(value: message, signer: signer)
    }

    /// `open`, validating the creator through `identities` (each chain once per process).
    public static func open<M: SwiftProtobuf.Message>(
        _ envelope: WireEnvelope, as type: M.Type, creator: (M) -> WireSerializedIdentity, identities: ValidatedIdentityCache
    ) async throws -> Verified<M> {
        let message: M = try payload(of: envelope)
        let signer = try await identities.verify(signature: envelope.signature, over: envelope.payload, by: creator(message))
        return Verified(value: message, signer: signer)
    }

    /// The envelope's payload decoded as `M` (not yet checked).
    private static func payload<M: SwiftProtobuf.Message>(of envelope: WireEnvelope) throws -> M {
        do {
            return try M(serializedBytes: envelope.payload)
        } catch {
            throw FrameError.undecodable(type: M.protoMessageName, reason: "\(error)")
        }
    }

    /// Checks a DER low-S ECDSA signature over SHA-256(data) with a certificate's P-256 key.
    public static func verify(signature: Data, over data: Data, certificate: X509.Certificate, mspID: String) throws {
        // The subject is rendered only for an error (rendering a name costs as much as a verify).
        guard let key = P256.Signing.PublicKey(certificate.publicKey),
              let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else {
            throw IdentityError.badSignature(mspID: mspID, subject: certificate.subject.description)
        }
        guard LowSSignature.hasLowS(parsed) else { throw IdentityError.highS }
        guard key.isValidSignature(parsed, for: data) else {
            throw IdentityError.badSignature(mspID: mspID, subject: certificate.subject.description)
        }
    }
}
