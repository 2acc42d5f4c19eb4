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
        return lowerHex(hasher.finalize())
    }

    /// Lower-case hex of `bytes`, written into one buffer (every committing peer computes a tx id
    /// per transaction: a string per byte showed in profiles).
    static func lowerHex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var ascii: [UInt8] = []
        ascii.reserveCapacity(64)
        for byte in bytes {
            ascii.append(digits[Int(byte >> 4)])
            ascii.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: ascii, as: UTF8.self)
    }

    /// 24 random bytes, the nonce length Fabric's SDKs use.
    public static func randomNonce() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
