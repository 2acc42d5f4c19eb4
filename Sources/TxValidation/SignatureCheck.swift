import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf

/// One signature the peer's shell must verify before a block commits (the validator does no
/// cryptography): who claims to have signed, the signature, and the exact bytes it covers.
///
/// Guarantees: `signedBytes` are the bytes Fabric verifies (the envelope's payload for the
/// creator; response payload ‖ endorser for an endorsement); `identity` is the claimed signer
/// decoded from `identityBytes`, `nil` when those bytes are not an `msp.SerializedIdentity`
/// (then the signature cannot verify).
public struct SignatureToCheck: Sendable, Equatable {
    public let identityBytes: Data
    public let identity: Msp_SerializedIdentity?
    public let signature: Data
    public let signedBytes: Data

    public init(identityBytes: Data, signature: Data, signedBytes: Data) {
        self.identityBytes = identityBytes
        identity = try? Msp_SerializedIdentity(serializedBytes: identityBytes)
        self.signature = signature
        self.signedBytes = signedBytes
    }
}

/// What the shell found when it verified one signature (the creator's or an endorsement's).
///
/// Guarantees: only `.verified` counts. A creator whose signature is not `.verified` makes the
/// transaction BAD_CREATOR_SIGNATURE; an endorsement that is not `.verified` is left out of
/// every policy evaluation, as Fabric drops endorsements whose signature fails.
public enum SignatureCheck: Sendable, Hashable {
    /// Not verified (yet): counts as not verified.
    case notChecked
    /// The signature verified; the signer as policies see it (MSP ID, roles from its NodeOU or
    /// the MSP's admin list, serialized identity).
    case verified(PolicySigner)
    /// The signature, the certificate or its chain did not verify, for this reason.
    case rejected(String)

    public var signer: PolicySigner? {
        if case .verified(let signer) = self { signer } else { nil }
    }
}
