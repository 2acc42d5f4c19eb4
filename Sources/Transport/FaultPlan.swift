import FabnetModel

/// The faults `fabnet fault` switches on between a network's nodes, as every node receives it:
/// a partition into groups, and per node an added delay and a loss rate for its traffic with
/// other nodes. Nodes are named by PKI-ID (lower-case hex), which each side of a connection
/// proved in its handshake.
///
/// Guarantees: a pure value. Two nodes are cut exactly when both are in groups and the groups
/// differ (a node in no group reaches all). A link's delay is the sum of both ends' delays and
/// its loss `1 − (1 − p₁)(1 − p₂)`, so a fault on a node applies in both directions.
public struct FaultPlan: Codable, Sendable, Equatable {
    /// A node's added delay (milliseconds, drawn per packet from the range) and loss probability.
    public struct NodeFault: Codable, Sendable, Equatable {
        public var delayMinimumMilliseconds: Int
        public var delayMaximumMilliseconds: Int
        public var loss: Double

        public init(delayMinimumMilliseconds: Int = 0, delayMaximumMilliseconds: Int = 0, loss: Double = 0) {
            self.delayMinimumMilliseconds = delayMinimumMilliseconds
            self.delayMaximumMilliseconds = delayMaximumMilliseconds
            self.loss = loss
        }
    }

    /// Groups of nodes that reach only each other.
    public var partition: [[String]]
    /// Delay and loss per node.
    public var nodes: [String: NodeFault]

    public init(partition: [[String]] = [], nodes: [String: NodeFault] = [:]) {
        self.partition = partition
        self.nodes = nodes
    }

    public var isEmpty: Bool { partition.isEmpty && nodes.isEmpty }

    /// Which group `node` is in, if any.
    func group(of node: String) -> Int? { partition.firstIndex { $0.contains(node) } }

    /// Whether traffic between `a` and `b` is cut.
    public func isCut(_ a: String, _ b: String) -> Bool {
        guard let first = group(of: a), let second = group(of: b) else { return false }
        return first != second
    }

    /// The delay range of the link between `a` and `b`, in milliseconds.
    public func delay(_ a: String, _ b: String) -> ClosedRange<Int> {
        let x = nodes[a] ?? NodeFault(), y = nodes[b] ?? NodeFault()
        let low = max(0, x.delayMinimumMilliseconds) + max(0, y.delayMinimumMilliseconds)
        return low...max(low, max(0, x.delayMaximumMilliseconds) + max(0, y.delayMaximumMilliseconds))
    }

    /// The loss probability of the link between `a` and `b`.
    public func loss(_ a: String, _ b: String) -> Double {
        let x = min(max(nodes[a]?.loss ?? 0, 0), 1), y = min(max(nodes[b]?.loss ?? 0, 0), 1)
        return 1 - (1 - x) * (1 - y)
    }

    /// The hex name of a PKI-ID, as plans name nodes.
    public static func name(of id: PKIID) -> String {
        id.bytes.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined()
    }
}
