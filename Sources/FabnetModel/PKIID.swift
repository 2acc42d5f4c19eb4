#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A peer's identity in gossip: SHA-256(MSP ID ‖ certificate PEM), as Fabric computes it.
/// Compared and sorted as bytes (election's "lowest ID wins" uses this order).
public struct PKIID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]
    /// The first 8 bytes as a number: hashing and most inequality checks need nothing else
    /// (real PKI-IDs are SHA-256 digests, so these bytes are already random).
    private let prefix: UInt64

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var prefix: UInt64 = 0
        for (index, byte) in bytes.prefix(8).enumerated() { prefix |= UInt64(byte) << (56 - 8 * index) }
        self.prefix = prefix  // left-aligned: comparing prefixes orders as the bytes do
    }

    public static func == (lhs: PKIID, rhs: PKIID) -> Bool {
        lhs.prefix == rhs.prefix && lhs.bytes == rhs.bytes
    }

    public static func < (lhs: PKIID, rhs: PKIID) -> Bool {
        if lhs.prefix != rhs.prefix { return lhs.prefix < rhs.prefix }
        return lhs.bytes.withUnsafeBytes { left in
            rhs.bytes.withUnsafeBytes { right in
                let common = min(left.count, right.count)
                if common > 0, let l = left.baseAddress, let r = right.baseAddress {
                    let order = memcmp(l, r, common)
                    if order != 0 { return order < 0 }
                }
                return left.count < right.count
            }
        }
    }

    /// The first 8 bytes as a big-endian number (zero-padded on the right for a shorter ID).
    public var leadingBytes: UInt64 { prefix }

    /// Hashes the first 8 bytes only (the element-wise default dominates big simulations).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(prefix)
    }

    /// What `Dictionary` and `Set` use: the first 8 bytes mixed with the table's seed by one
    /// SplitMix64 round instead of a full SipHash. The bytes are SHA-256 output, so they are
    /// already uniform; the per-process seed still varies the bucket order.
    public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: StableHash.mix(prefix ^ UInt64(UInt(bitPattern: seed))))
    }

    /// A 64-bit hash that is the same in every process (FNV-1a, then mixed), for digests of
    /// views that peers compare.
    public var stableHash: UInt64 { StableHash.of(bytes) }

    /// The first 8 bytes in hex, enough to tell peers apart in logs.
    public var description: String { bytes.prefix(8).lowerHex }
}
