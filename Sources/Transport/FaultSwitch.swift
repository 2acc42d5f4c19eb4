import FabnetModel
import Foundation
import NIOCore
import Synchronization

/// A node's switch for `fabnet fault`: the plan in force, and the node connections it may have
/// to cut. Every `Transport` of the node shares one; connections to clients and admins are
/// never touched (only remotes that proved a peer or orderer identity count as nodes).
///
/// Guarantees: safe from any task. A new plan closes, at once, every open connection it cuts;
/// a connection it cuts is refused at its handshake; packets of a slow link are held their delay
/// as they arrive (`FaultDelayHandler`: in order, overlapping) and gossip packets of a lossy one
/// are dropped at its loss rate (requests and streams are never dropped: they would hang, not
/// degrade).
public final class FaultSwitch: Sendable {
    /// This node's name in plans.
    public let own: String
    private struct State {
        var plan = FaultPlan()
        var open: [Int: (remote: String, channel: any Channel)] = [:]
        var next = 0
        var droppedPackets = 0
        var delayedPackets = 0
    }
    private let state = Mutex(State())
    /// Whether a plan is in force: packets of a node without one take no lock.
    private let active = Atomic<Bool>(false)

    public init(own: PKIID) {
        self.own = FaultPlan.name(of: own)
    }

    public var plan: FaultPlan { state.withLock { $0.plan } }

    /// Packets dropped by a loss fault, and delayed by a delay fault, since the start.
    public var counts: (dropped: Int, delayed: Int) { state.withLock { ($0.droppedPackets, $0.delayedPackets) } }

    /// Puts `plan` in force; closes the open connections it cuts.
    public func apply(_ plan: FaultPlan) {
        let cut = state.withLock { state -> [any Channel] in
            state.plan = plan
            active.store(!plan.isEmpty, ordering: .releasing)
            return state.open.values.filter { plan.isCut(own, $0.remote) }.map(\.channel)
        }
        for channel in cut { channel.close(promise: nil) }
    }

    /// Whether `signer`'s certificate says it is a node: what counts when a plan does not name
    /// the network's nodes (a plan always does since `fabnet fault` sends them).
    static func isNodeByRole(_ signer: VerifiedSigner) -> Bool { signer.role == .peer || signer.role == .orderer }

    /// Registers an authenticated connection; nil when the plan cuts it (refuse it). A client
    /// or admin is never cut: it is in no partition group.
    func admit(_ signer: VerifiedSigner, channel: any Channel) -> Int? {
        let remote = FaultPlan.name(of: signer.pkiID)
        return state.withLock { state -> Int? in
            guard !state.plan.isCut(own, remote) else { return nil }
            state.next += 1
            state.open[state.next] = (remote, channel)
            return state.next
        }
    }

    func closed(_ token: Int) {
        _ = state.withLock { $0.open.removeValue(forKey: token) }
    }

    /// Whether a packet from `remote` is kept: a gossip packet of a lossy link is dropped at the
    /// link's loss rate. Only links between two nodes are lossy.
    func keeps(from remote: String, isNodeByRole: Bool = true, isGossip: Bool) -> Bool {
        guard isGossip, active.load(ordering: .acquiring) else { return true }
        return state.withLock { state -> Bool in
            let plan = state.plan
            guard plan.isMember(remote) ?? isNodeByRole, Double.random(in: 0..<1) < plan.loss(own, remote) else { return true }
            state.droppedPackets += 1
            return false
        }
    }

    /// How long a packet from `remote` arriving now is held (drawn from the link's delay range).
    /// Only links between two nodes are slowed.
    func delay(from remote: String, isNodeByRole: Bool = true) -> Duration {
        guard active.load(ordering: .acquiring) else { return .zero }
        return state.withLock { state -> Duration in
            let plan = state.plan
            guard plan.isMember(remote) ?? isNodeByRole else { return .zero }
            let range = plan.delay(own, remote)
            guard range.upperBound > 0 else { return .zero }
            state.delayedPackets += 1
            return .milliseconds(Int.random(in: range))
        }
    }
}

extension FaultSwitch {
    /// Puts the plan `json` encodes in force (empty: none); returns a summary for the admin
    /// response.
    public func apply(json: String) throws -> String {
        let plan = json.isEmpty ? FaultPlan() : try JSONDecoder().decode(FaultPlan.self, from: Data(json.utf8))
        apply(plan)
        return plan.isEmpty ? "no faults" : "faults applied: \(plan.partition.count) partition groups, \(plan.nodes.count) nodes with delay or loss"
    }
}
