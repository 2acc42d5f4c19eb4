import COpenSSL

/// An ECDSA P-256 private key held by libcrypto. Written as PEM PKCS#8 ("PRIVATE KEY"), the form
/// Fabric's `keystore/priv_sk` and `tls/server.key` use.
public final class PrivateKey: @unchecked Sendable {
    /// The owned `EVP_PKEY`; freed on deinit. Immutable after init, so sharing is safe.
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// A fresh P-256 key from OpenSSL's default random generator.
    public static func generateP256() throws -> PrivateKey {
        let context = try checkNotNil(EVP_PKEY_CTX_new_from_name(nil, "EC", nil), "EVP_PKEY_CTX_new_from_name(EC)")
        defer { EVP_PKEY_CTX_free(context) }
        try check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init")
        try check(EVP_PKEY_CTX_set_group_name(context, "P-256"), "EVP_PKEY_CTX_set_group_name(P-256)")
        var key: OpaquePointer?
        try check(EVP_PKEY_generate(context, &key), "EVP_PKEY_generate")
        return PrivateKey(owning: try checkNotNil(key, "EVP_PKEY_generate"))
    }

    /// Reads a PEM private key (PKCS#8 or SEC1).
    public convenience init(pem: String) throws {
        let key = try withMemoryBIO(pem) { bio in
            try checkNotNil(PEM_read_bio_PrivateKey(bio, nil, nil, nil), "PEM_read_bio_PrivateKey")
        }
        self.init(owning: key)
    }

    /// PEM PKCS#8, unencrypted.
    public func pkcs8PEM() throws -> String {
        try writingToMemoryBIO { bio in
            try check(PEM_write_bio_PKCS8PrivateKey(bio, pointer, nil, nil, 0, nil, nil), "PEM_write_bio_PKCS8PrivateKey")
        }
    }

    /// The public half, PEM SubjectPublicKeyInfo.
    public func publicKeyPEM() throws -> String {
        try writingToMemoryBIO { bio in
            try check(PEM_write_bio_PUBKEY(bio, pointer), "PEM_write_bio_PUBKEY")
        }
    }
}
