/// A block as gossip carries it: its number and its bytes (already checked against the orderer's
/// signature by the shell before it reaches a core), and optionally the shell's own verified form
/// of it, which the core carries unopened.
///
/// Guarantees: equality and hashing are the number and the bytes only; `verified` is never
/// compared, hashed or looked into by the core (the simulator leaves it nil).
public struct GossipBlock: Hashable, Sendable {
    public let number: UInt64
    public let data: [UInt8]
    /// What the shell made of `data` where it verified it (the peer process: the parsed block and
    /// its header hash), handed back with the block in `commit` and `send` effects so the shell
    /// neither parses nor hashes the block again. A reference: carrying it copies nothing.
    public let verified: (any AnyObject & Sendable)?

    public init(number: UInt64, data: [UInt8], verified: (any AnyObject & Sendable)? = nil) {
        self.number = number
        self.data = data
        self.verified = verified
    }

    public static func == (lhs: GossipBlock, rhs: GossipBlock) -> Bool { lhs.number == rhs.number && lhs.data == rhs.data }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(number)
        hasher.combine(data)
    }
}
