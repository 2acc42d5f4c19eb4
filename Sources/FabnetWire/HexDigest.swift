import Crypto
import Foundation

/// Lower-case hex digests, for names and fingerprints (the network description's digest, say).
/// Block hashes are Fabric's and live in FabricWire (`BlockHeaderBytes`, `BlockDataRules`).
public enum HexDigest {
    /// Lower-case hex of SHA-256(bytes).
    public static func sha256(_ bytes: Data) -> String {
        SHA256.hash(data: bytes).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }
}
