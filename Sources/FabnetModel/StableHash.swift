/// A 64-bit hash that is the same in every process and run (Swift's `Hasher` is seeded per
/// process): FNV-1a over the bytes, then SplitMix64's finalizer so XOR-combined digests of sets
/// stay well spread.
public enum StableHash {
    public static func of(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return mix(hash)
    }

    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
