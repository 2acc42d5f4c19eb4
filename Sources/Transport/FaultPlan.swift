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
    /// Every node of the network: delay and loss touch only links between two of them, so a
    /// client's or admin's traffic is never slowed (whatever its certificate's role says).
    public var members: [String]

    public init(partition: [[String]] = [], nodes: [String: NodeFault] = [:], members: [String] = []) {
        self.partition = partition
        self.nodes = nodes
        self.members = members
    }

    public var isEmpty: Bool { partition.isEmpty && nodes.isEmpty }

    /// Whether `node` is one of the network's nodes (when the plan names them; else unknown: nil).
    public func isMember(_ node: String) -> Bool? { members.isEmpty ? nil : members.contains(node) }

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
        // Each end at most `maximumDelayMilliseconds`, so the sum cannot overflow.
        func bounded(_ value: Int) -> Int { min(max(0, value), Self.maximumDelayMilliseconds) }
        let low = bounded(x.delayMinimumMilliseconds) + bounded(y.delayMinimumMilliseconds)
        return low...max(low, bounded(x.delayMaximumMilliseconds) + bounded(y.delayMaximumMilliseconds))
    }

    /// The loss probability of the link between `a` and `b`.
    public func loss(_ a: String, _ b: String) -> Double {
        let x = min(max(nodes[a]?.loss ?? 0, 0), 1), y = min(max(nodes[b]?.loss ?? 0, 0), 1)
        return 1 - (1 - x) * (1 - y)
    }

    /// The largest delay one node may add (ten minutes).
    public static let maximumDelayMilliseconds = 600_000

    /// The hex name of a PKI-ID, as plans name nodes (every connection a node accepts or
    /// opens names its remote).
    public static func name(of id: PKIID) -> String { id.bytes.lowerHex }
}
