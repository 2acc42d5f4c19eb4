import COpenSSL
import Foundation

/// A certificate authority: its key and self-signed certificate. Issues certificates from
/// `CertificateProfile`s with libcrypto: random 128-bit serials, SHA-256 ECDSA signatures, validity
/// from five minutes before now (rounded down to the minute, as cryptogen) for the profile's span.
public struct CertificateAuthority: Sendable {
    public let key: PrivateKey
    public let certificate: Certificate

    public init(key: PrivateKey, certificate: Certificate) {
        self.key = key
        self.certificate = certificate
    }

    /// A new self-signed CA for `profile` (whose kind should be `.certificateAuthority`).
    public static func makeRoot(_ profile: CertificateProfile, now: Date = Date()) throws -> CertificateAuthority {
        let key = try PrivateKey.generateP256()
        let certificate = try CertificateBuilder.build(profile, publicKey: key, issuer: nil, signingKey: key, now: now)
        return CertificateAuthority(key: key, certificate: certificate)
    }

    /// A certificate for `subjectKey` described by `profile`, signed by this CA.
    public func issue(_ profile: CertificateProfile, for subjectKey: PrivateKey, now: Date = Date()) throws -> Certificate {
        try CertificateBuilder.build(profile, publicKey: subjectKey, issuer: certificate, signingKey: key, now: now)
    }
}

/// Builds and signs one X.509 v3 certificate with libcrypto.
enum CertificateBuilder {
    static func build(_ profile: CertificateProfile, publicKey: PrivateKey, issuer: Certificate?, signingKey: PrivateKey,
                      now: Date) throws -> Certificate {
        let x509 = try checkNotNil(X509_new(), "X509_new")
        let certificate = Certificate(owning: x509)
        try check(X509_set_version(x509, 2), "X509_set_version")
        try setRandomSerial(x509)
        let notBefore = time_t((now.timeIntervalSince1970 / 60).rounded(.down) * 60 - 300)
        try checkNotNil(ASN1_TIME_set(X509_getm_notBefore(x509), notBefore), "ASN1_TIME_set(notBefore)")
        try checkNotNil(ASN1_TIME_set(X509_getm_notAfter(x509), notBefore + time_t(profile.validity)), "ASN1_TIME_set(notAfter)")
        try setSubject(x509, profile)
        let issuerName = issuer.map { X509_get_subject_name($0.pointer) } ?? X509_get_subject_name(x509)
        try check(X509_set_issuer_name(x509, issuerName), "X509_set_issuer_name")
        try check(X509_set_pubkey(x509, publicKey.pointer), "X509_set_pubkey")
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer?.pointer ?? x509, x509, nil, nil, 0)
        for (name, value) in profile.extensions {
            let nid = OBJ_sn2nid(name)
            let extensionPointer = try checkNotNil(X509V3_EXT_nconf_nid(nil, &context, nid, value), "extension \(name)=\(value)")
            defer { X509_EXTENSION_free(extensionPointer) }
            try check(X509_add_ext(x509, extensionPointer, -1), "X509_add_ext(\(name))")
        }
        guard X509_sign(x509, signingKey.pointer, EVP_sha256()) > 0 else { throw OpenSSLError("X509_sign") }
        return certificate
    }

    static func setRandomSerial(_ x509: OpaquePointer) throws {
        let number = try checkNotNil(BN_new(), "BN_new")
        defer { BN_free(number) }
        try check(BN_rand(number, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand")
        try checkNotNil(BN_to_ASN1_INTEGER(number, X509_get_serialNumber(x509)), "BN_to_ASN1_INTEGER")
    }

    static func setSubject(_ x509: OpaquePointer, _ profile: CertificateProfile) throws {
        let name = try checkNotNil(X509_NAME_new(), "X509_NAME_new")
        defer { X509_NAME_free(name) }
        let entries: [(String, String?)] = [
            ("C", profile.country), ("ST", profile.province), ("L", profile.locality),
            ("O", profile.organization), ("OU", profile.organizationalUnit), ("CN", profile.commonName),
        ]
        for case let (field, value?) in entries {
            try check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, value, -1, -1, 0), "subject \(field)=\(value)")
        }
        try check(X509_set_subject_name(x509, name), "X509_set_subject_name")
    }
}
