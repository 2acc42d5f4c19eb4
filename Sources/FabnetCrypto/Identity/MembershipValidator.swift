import Crypto
@_spi(Verification) import FabnetModel
import FabnetWire
import Foundation
import X509

/// One organization's trust anchors: its MSP ID, root CA certificates and whether roles come
/// from NodeOUs.
public struct OrganizationRoots: Sendable {
    public let mspID: String
    public let rootCertificates: [X509.Certificate]
    public let nodeOUs: Bool

    public init(mspID: String, rootCertificatesPEM: [String], nodeOUs: Bool) throws {
        self.mspID = mspID
        self.rootCertificates = try rootCertificatesPEM.map { pem in
            do { return try X509.Certificate(pemEncoded: pem) } catch { throw IdentityError.unreadableCertificate(reason: "\(mspID) root: \(error)") }
        }
        self.nodeOUs = nodeOUs
    }
}

/// Decides whether a serialized identity belongs to one of a set of organizations, and in which
/// role. This is where untrusted identities stop: only what passes here becomes a `VerifiedSigner`.
///
/// Checks: the MSP ID is known; the certificate chains to that org's roots under RFC 5280 at
/// `time` (signature, validity period, CA constraints); the role is the certificate's NodeOU —
/// with NodeOUs on, a certificate without one is refused; `member` only for orgs without NodeOUs.
public struct MembershipValidator: Sendable {
    public let organizations: [String: OrganizationRoots]

    public init(organizations: [OrganizationRoots]) {
        self.organizations = Dictionary(organizations.map { ($0.mspID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func validate(_ identity: WireSerializedIdentity, at time: Date = Date()) async throws -> (signer: VerifiedSigner, certificate: X509.Certificate) {
        guard let org = organizations[identity.mspID] else {
            throw IdentityError.unknownOrganization(mspID: identity.mspID, known: organizations.keys.sorted())
        }
        let certificate: X509.Certificate
        do {
            certificate = try X509.Certificate(pemEncoded: String(decoding: identity.idBytes, as: UTF8.self))
        } catch {
            throw IdentityError.unreadableCertificate(reason: "\(error)")
        }
        var verifier = Verifier(rootCertificates: CertificateStore(org.rootCertificates)) {
            RFC5280Policy(validationTime: time)
        }
        switch await verifier.validate(leaf: certificate, intermediates: CertificateStore()) {
        case .validCertificate:
            break
        case .couldNotValidate(let failures):
            let reason = failures.first.map { "\($0.policyFailureReason)" } ?? "no chain to the org's CA"
            throw IdentityError.untrustedCertificate(mspID: org.mspID, subject: certificate.subject.description, reason: reason)
        }
        let role: IdentityRole
        if org.nodeOUs {
            guard let named = Self.role(of: certificate) else {
                throw IdentityError.roleNotAllowed(mspID: org.mspID, role: "identity without a NodeOU", allowed: ["peer", "orderer", "client", "admin"])
            }
            role = named
        } else {
            role = .member
        }
        let signer = VerifiedSigner(mspID: org.mspID, role: role, pkiID: PKIIDs.make(mspID: org.mspID, certificate: identity.idBytes))
        return (signer, certificate)
    }

    /// The OU of the subject that names a role (peer, orderer, client, admin); `nil` if none does.
    static func role(of certificate: X509.Certificate) -> IdentityRole? {
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.organizationalUnitName {
                if let text = String(attribute.value), let role = IdentityRole(rawValue: text), role != .member { return role }
            }
        }
        return nil
    }
}
