import COpenSSL
import Foundation

/// An X.509 certificate held by libcrypto.
public final class Certificate: @unchecked Sendable {
    /// The owned `X509`; freed on deinit. Not mutated after it is built and signed.
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { X509_free(pointer) }

    /// Reads the first certificate of a PEM text.
    public convenience init(pem: String) throws {
        let certificate = try withMemoryBIO(pem) { bio in
            try checkNotNil(PEM_read_bio_X509(bio, nil, nil, nil), "PEM_read_bio_X509")
        }
        self.init(owning: certificate)
    }

    public func pem() throws -> String {
        try writingToMemoryBIO { bio in try check(PEM_write_bio_X509(bio, pointer), "PEM_write_bio_X509") }
    }

    /// Whether `key` is the private key of this certificate's public key.
    public func matches(_ key: PrivateKey) -> Bool {
        let result = X509_check_private_key(pointer, key.pointer) == 1
        ERR_clear_error()
        return result
    }

    /// Whether this certificate's signature verifies with `issuer`'s public key and names it as issuer.
    public func isIssued(by issuer: Certificate) -> Bool {
        let named = X509_check_issued(issuer.pointer, pointer) == X509_V_OK
        guard named, let key = X509_get0_pubkey(issuer.pointer) else { return false }
        let verified = X509_verify(pointer, key) == 1
        ERR_clear_error()
        return verified
    }

    /// The subject's common name.
    public var commonName: String? { subjectEntry(NID_commonName) }

    /// The subject's organizational unit (the NodeOU role for enrollment certificates).
    public var organizationalUnit: String? { subjectEntry(NID_organizationalUnitName) }

    /// The last moment the certificate is valid.
    public var notAfter: Date? {
        var days: Int32 = 0, seconds: Int32 = 0
        guard ASN1_TIME_diff(&days, &seconds, nil, X509_get0_notAfter(pointer)) == 1 else { return nil }
        return Date(timeIntervalSinceNow: Double(days) * 86_400 + Double(seconds))
    }

    private func subjectEntry(_ nid: Int32) -> String? {
        guard let name = X509_get_subject_name(pointer) else { return nil }
        let index = X509_NAME_get_index_by_NID(name, nid, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index),
              let data = X509_NAME_ENTRY_get_data(entry), let bytes = ASN1_STRING_get0_data(data) else { return nil }
        let length = Int(ASN1_STRING_length(data))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }
}
