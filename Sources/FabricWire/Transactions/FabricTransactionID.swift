import FabnetModel
import Crypto
import Foundation

/// Transaction ids as Fabric computes them.
///
/// Guarantees: `make` is lower-case hex of SHA-256(nonce ‖ creator), where `creator` is the
/// serialized `msp.SerializedIdentity` exactly as it appears in the signature header; the same
/// inputs always give the same id, and Fabric's peers and SDKs compute the same one.
public enum FabricTransactionID {
    public static func make(nonce: Data, creator: Data) -> String {
        var hasher = SHA256()
        hasher.update(data: nonce)
        hasher.update(data: creator)
        return hasher.finalize().lowerHex
    }

    /// 24 random bytes, the nonce length Fabric's SDKs use.
    public static func randomNonce() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
