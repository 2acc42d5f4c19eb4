/// A value whose signature was checked against an identity the network's MSPs accept.
///
/// Guarantees: protocol code cannot get one from unchecked bytes. Its initializer is SPI: only
/// `FabnetCrypto` (after verifying) and tests (`@_spi(Verification) import FabnetModel`) may call it;
/// a grep for `_spi(Verification)` lists every place that can vouch for a value.
public struct Verified<Value: Sendable>: Sendable {
    public let value: Value
    /// Who signed it.
    public let signer: VerifiedSigner

    @_spi(Verification)
    public init(value: Value, signer: VerifiedSigner) {
        self.value = value
        self.signer = signer
    }

    /// A part of a verified value is verified too, by the same signer.
    public func map<Part: Sendable>(_ part: (Value) -> Part) -> Verified<Part> {
        Verified<Part>(value: part(value), signer: signer)
    }
}

/// The identity behind a verified value: its MSP, role and PKI-ID.
public struct VerifiedSigner: Hashable, Sendable {
    public let mspID: String
    public let role: IdentityRole
    public let pkiID: PKIID

    @_spi(Verification)
    public init(mspID: String, role: IdentityRole, pkiID: PKIID) {
        self.mspID = mspID
        self.role = role
        self.pkiID = pkiID
    }
}

/// What an identity may do, from its certificate's NodeOU (`member` when the org has no NodeOUs).
public enum IdentityRole: String, Hashable, Sendable, Codable {
    case peer, orderer, client, admin, member
}
