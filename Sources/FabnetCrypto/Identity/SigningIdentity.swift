import Crypto
import FabnetModel
import FabnetWire
import Foundation
import X509

/// A local identity that can sign: an MSP ID, its enrollment certificate and its private key.
///
/// Guarantees: signatures are ECDSA P-256 over SHA-256, DER-encoded with low S, and the key
/// matches the certificate (checked when the identity is made).
public struct SigningIdentity: Sendable {
    public let mspID: String
    /// The enrollment certificate as PEM text, exactly as the MSP folder holds it.
    public let certificatePEM: String
    public let certificate: X509.Certificate
    let privateKey: P256.Signing.PrivateKey

    public init(mspID: String, certificatePEM: String, privateKeyPEM: String) throws {
        let certificate: X509.Certificate
        let key: P256.Signing.PrivateKey
        do {
            certificate = try X509.Certificate(pemEncoded: certificatePEM)
        } catch {
            throw IdentityError.unreadableCertificate(reason: "\(error)")
        }
        do {
            key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw IdentityError.unreadableKey(reason: "\(error)")
        }
        guard P256.Signing.PublicKey(certificate.publicKey)?.rawRepresentation == key.publicKey.rawRepresentation else {
            throw IdentityError.keyDoesNotMatchCertificate(subject: certificate.subject.description)
        }
        self.mspID = mspID
        self.certificatePEM = certificatePEM
        self.certificate = certificate
        self.privateKey = key
        pkiID = PKIIDs.make(mspID: mspID, certificate: Data(certificatePEM.utf8))
    }

    /// The identity as it travels: MSP ID and certificate PEM.
    public var serialized: WireSerializedIdentity {
        var identity = WireSerializedIdentity()
        identity.mspID = mspID
        identity.idBytes = Data(certificatePEM.utf8)
        return identity
    }

    /// Fabric's PKI-ID of the identity, made once (gossip and the gateway compare it often).
    public let pkiID: PKIID

    /// A DER, low-S ECDSA signature over SHA-256(data).
    public func sign(_ data: Data) throws -> Data {
        try LowSSignature.normalized(privateKey.signature(for: data)).derRepresentation
    }
}

/// PKI-IDs as Fabric derives them.
public enum PKIIDs {
    /// SHA-256(MSP ID ‖ serialized certificate).
    public static func make(mspID: String, certificate: Data) -> PKIID {
        var hasher = SHA256()
        hasher.update(data: Data(mspID.utf8))
        hasher.update(data: certificate)
        return PKIID(Array(hasher.finalize()))
    }
}

/// Why an identity or a signature was refused: what, whose, and what to check.
public enum IdentityError: Error, Equatable, CustomStringConvertible {
    case unreadableCertificate(reason: String)
    case unreadableKey(reason: String)
    case keyDoesNotMatchCertificate(subject: String)
    case unknownOrganization(mspID: String, known: [String])
    case untrustedCertificate(mspID: String, subject: String, reason: String)
    case roleNotAllowed(mspID: String, role: String, allowed: [String])
    case badSignature(mspID: String, subject: String)
    case highS
    case missingFile(path: String)

    public var description: String {
        switch self {
        case let .unreadableCertificate(reason): return "the certificate cannot be read: \(reason)"
        case let .unreadableKey(reason): return "the private key cannot be read (expected PEM P-256): \(reason)"
        case let .keyDoesNotMatchCertificate(subject): return "the private key does not belong to the certificate of \(subject)"
        case let .unknownOrganization(mspID, known):
            return "MSP ID \(mspID) is not an organization of this channel (known: \(known.joined(separator: ", ")))"
        case let .untrustedCertificate(mspID, subject, reason):
            return "certificate of \(subject) is not issued by a CA of \(mspID): \(reason)"
        case let .roleNotAllowed(mspID, role, allowed):
            return "a \(role) of \(mspID) may not do this (allowed: \(allowed.joined(separator: ", ")))"
        case let .badSignature(mspID, subject): return "signature does not verify with the certificate of \(subject) (\(mspID))"
        case .highS: return "signature has a high S value (not canonical); sign with low S"
        case let .missingFile(path): return "\(path) is missing; run `fabnet crypto generate`"
        }
    }
}
