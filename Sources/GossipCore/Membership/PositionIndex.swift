import FabnetModel

/// An index from 64-bit hashes to positions in an array its owner keeps (open addressing with
/// linear probing over `Int32` positions, 3/8 to 3/4 full): 5 to 11 bytes per entry, where a
/// `Dictionary` keyed by PKI-ID takes 16 per bucket for the key alone. The owner stores the
/// keys (in its entries) and answers "does position p hold the key I look for?"; the index
/// never stores a key twice.
///
/// Guarantees: `find` returns the position of an entry whose `matches` is true if one was
/// inserted and not removed, in O(1) expected probes; removal leaves no tombstones (later
/// entries of a probe run shift back), so lookups stay short however many come and go. Buckets
/// are placed by the hash mixed with a per-process seed (as `Dictionary` does), so peers with
/// chosen PKI-IDs cannot pile into one probe run; nothing the owner iterates depends on it.
struct PositionIndex: Sendable {
    /// Mixed into every hash; random per process, like `Hasher`'s seed.
    private static let seed = UInt64.random(in: 0...UInt64.max)

    /// Position + 1 per bucket (0: empty); a power of two long.
    private var buckets: [Int32] = []

    init() {}

    /// The position whose entry `matches`, among those inserted with `hash`.
    func find(hash: UInt64, matches: (Int) -> Bool) -> Int? {
        guard !buckets.isEmpty else { return nil }
        let mask = buckets.count - 1
        var bucket = Self.home(hash, mask: mask)
        while true {
            let stored = Int(buckets[bucket])
            if stored == 0 { return nil }
            if matches(stored - 1) { return stored - 1 }
            bucket = (bucket + 1) & mask
        }
    }

    /// Adds `position` (the `count`-th entry, 0-based: `count` entries exist with it) under `hash`;
    /// `hashAt` gives the hash of any position (to rebuild the index when it grows).
    mutating func insert(_ position: Int, hash: UInt64, count: Int, hashAt: (Int) -> UInt64) {
        if count * 4 > buckets.count * 3 {
            let capacity = Swift.max(16, buckets.count * 2)
            buckets = [Int32](repeating: 0, count: capacity)
            for other in 0..<count where other != position { place(other, hash: hashAt(other)) }
        }
        place(position, hash: hash)
    }

    private mutating func place(_ position: Int, hash: UInt64) {
        let mask = buckets.count - 1
        var bucket = Self.home(hash, mask: mask)
        while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = Int32(position + 1)
    }

    /// The bucket holding `position` (which is present).
    private func bucket(holding position: Int, hash: UInt64) -> Int {
        let mask = buckets.count - 1
        var bucket = Self.home(hash, mask: mask)
        while Int(buckets[bucket]) != position + 1 { bucket = (bucket + 1) & mask }
        return bucket
    }

    /// Removes `position` (inserted with `hash`), shifting later entries of its probe run back.
    mutating func remove(_ position: Int, hash: UInt64, hashAt: (Int) -> UInt64) {
        let mask = buckets.count - 1
        var hole = bucket(holding: position, hash: hash)
        var next = (hole + 1) & mask
        while buckets[next] != 0 {
            let home = Self.home(hashAt(Int(buckets[next]) - 1), mask: mask)
            // The entry at `next` may fill the hole if its home is not cyclically in (hole, next].
            if (home &- hole &- 1) & mask > (next &- hole &- 1) & mask {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        buckets[hole] = 0
    }

    /// Records that the entry at `from` (inserted with `hash`) now lives at `to`.
    mutating func move(from: Int, to: Int, hash: UInt64) {
        buckets[bucket(holding: from, hash: hash)] = Int32(to + 1)
    }

    private static func home(_ hash: UInt64, mask: Int) -> Int { Int(truncatingIfNeeded: StableHash.mix(hash ^ seed)) & mask }

    /// Grows a full array by a quarter instead of doubling it: with 10⁸ entries in a simulator,
    /// doubling's slack (a third on average) was more than the entries' own fields.
    static func reserveGrowth<Element>(of array: inout [Element]) {
        if array.count == array.capacity { array.reserveCapacity(array.count + array.count / 4 + 8) }
    }

    static func reserveGrowth<Element>(of array: inout ContiguousArray<Element>) {
        if array.count == array.capacity { array.reserveCapacity(array.count + array.count / 4 + 8) }
    }
}
