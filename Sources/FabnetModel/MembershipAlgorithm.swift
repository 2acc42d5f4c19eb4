/// Which membership algorithm a peer runs (`peer.gossip.membership`, a fabnet key Fabric lacks).
///
/// - `fabric`: Fabric's discovery: every peer signs an alive message every `aliveTimeInterval`
///   and it reaches every other peer, which declares a peer dead after `aliveExpirationTimeout`
///   of silence. Each peer checks N signatures per interval: N² across the network.
/// - `swim`: liveness by probes (SWIM with Lifeguard's local health): each peer pings a few ring
///   neighbours over its authenticated connections; a missed ping is retried through helpers,
///   then the peer is suspected, and declared dead only if it does not refute in time. Only
///   changes are gossiped (signed alive messages on join, change and refutation). A peer's cost
///   per interval no longer grows with N.
public enum MembershipAlgorithm: String, Sendable, Hashable, Codable, CaseIterable {
    case fabric
    case swim
}
