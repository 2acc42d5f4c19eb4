/// A peer's identity in gossip: SHA-256(MSP ID ‖ certificate PEM), as Fabric computes it.
/// Compared and sorted as bytes (election's "lowest ID wins" uses this order).
public struct PKIID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public static func < (lhs: PKIID, rhs: PKIID) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    /// The first 8 bytes in hex, enough to tell peers apart in logs.
    public var description: String {
        bytes.prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
