/// A block as gossip carries it: its number and its bytes (already checked against the orderer's
/// signature by the shell before it reaches a core).
public struct GossipBlock: Hashable, Sendable {
    public let number: UInt64
    public let data: [UInt8]

    public init(number: UInt64, data: [UInt8]) {
        self.number = number
        self.data = data
    }
}
