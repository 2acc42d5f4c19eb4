import FabnetModel

/// A peer's incarnation (its start) and a sequence number that grows within it. Newer means a
/// later incarnation, or the same incarnation with a higher sequence.
public struct PeerTime: Hashable, Comparable, Sendable {
    public let incarnation: UInt64
    public let sequence: UInt64

    public init(incarnation: UInt64, sequence: UInt64) {
        self.incarnation = incarnation
        self.sequence = sequence
    }

    public static func < (lhs: PeerTime, rhs: PeerTime) -> Bool {
        (lhs.incarnation, lhs.sequence) < (rhs.incarnation, rhs.sequence)
    }
}

/// "I am alive": who, in which org, where, and when (by the sender's own counter). Signed by its
/// creator on the wire; the internal endpoint travels in the signed secret part, which is
/// dropped (`internalEndpoint == nil`) before the message leaves the creator's org. Equality and
/// hashing ignore `signed` (see `SignedForm`).
///
/// A value of one reference: its fields live in one `SharedFields` that every copy shares
/// (inline, they took about 120 bytes per copy).
public struct AliveMessage: Hashable, Sendable {
    /// The fields, behind one shared reference (see `SharedFields`).
    private struct Fields: Sendable {
        let pkiID: PKIID
        let mspID: String
        let externalEndpoint: Endpoint?
        let internalEndpoint: Endpoint?
        let time: PeerTime
        let signed: SignedForm
        /// The same message without the internal endpoint, made once with it: every peer of
        /// another org then holds this one copy (one per peer pair before, in a big simulation).
        let stripped: AliveMessage?
    }

    private let fields: SharedFields<Fields>

    public var pkiID: PKIID { fields.value.pkiID }
    public var mspID: String { fields.value.mspID }
    /// What other orgs may use; `nil` means the peer is invisible outside its org.
    public var externalEndpoint: Endpoint? { fields.value.externalEndpoint }
    /// What its own org uses; `nil` once stripped for another org.
    public var internalEndpoint: Endpoint? { fields.value.internalEndpoint }
    public var time: PeerTime { fields.value.time }
    /// Its creator's signed envelope as received (with the secret part when it came with one).
    public var signed: SignedForm { fields.value.signed }

    public init(pkiID: PKIID, mspID: String, externalEndpoint: Endpoint?, internalEndpoint: Endpoint?, time: PeerTime,
                signed: SignedForm = .unsigned) {
        let stripped = internalEndpoint == nil ? nil
            : AliveMessage(pkiID: pkiID, mspID: mspID, externalEndpoint: externalEndpoint, internalEndpoint: nil, time: time, signed: signed)
        fields = SharedFields(Fields(pkiID: pkiID, mspID: mspID, externalEndpoint: externalEndpoint,
                                     internalEndpoint: internalEndpoint, time: time, signed: signed, stripped: stripped))
    }

    /// The same message without its secret part (the signed form stays: the shell leaves its
    /// secret part out when `internalEndpoint` is nil).
    public var withoutInternalEndpoint: AliveMessage {
        fields.value.stripped ?? self
    }

    public static func == (lhs: AliveMessage, rhs: AliveMessage) -> Bool {
        if lhs.fields === rhs.fields { return true }
        return lhs.pkiID == rhs.pkiID && lhs.mspID == rhs.mspID && lhs.externalEndpoint == rhs.externalEndpoint
            && lhs.internalEndpoint == rhs.internalEndpoint && lhs.time == rhs.time
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pkiID)
        hasher.combine(mspID)
        hasher.combine(externalEndpoint)
        hasher.combine(internalEndpoint)
        hasher.combine(time)
    }
}

/// Membership traffic between peers.
public enum MembershipMessage: Hashable, Sendable {
    /// Heartbeats, each signed by its creator: the sender's own and those it forwards (once each,
    /// when new to it), in one batch.
    case alive([AliveMessage])
    /// "Here is me (signed by me), tell me whom you know": answered only when `sender` is the
    /// alive message's own creator, and only when the responder's `viewDigest` differs from the
    /// requester's (0 on first contact, probes and a pull's second step, which always get an
    /// answer). `known`: the alive messages the requester holds (SWIM's introductions, and a
    /// pull's second step after `versionsWanted`); the answer leaves them out.
    case request(sender: AliveMessage, viewDigest: UInt64, known: KnownVersions = .none)
    /// The responder's view, filtered by the disclosure rules for the requester.
    case response(alive: [AliveMessage], dead: [AliveMessage])
    /// SWIM: "are you there?", answered by `ack` with the same nonce; nonce 0 carries updates
    /// only and is not answered. `sender` is the sender's own signed alive message (so a peer
    /// that does not know it yet can answer, and learns of it), left out once the receiver
    /// acked a ping that carried it (it saves a signed certificate, ~1 KB, per ping). Each
    /// message carries membership changes the sender still gossips.
    case ping(nonce: UInt64, sender: AliveMessage?, updates: [MembershipUpdate])
    case ack(nonce: UInt64, updates: [MembershipUpdate])
    /// SWIM's indirect probe: "ping `target` for me"; the helper acks `nonce` if the target
    /// answers its own ping.
    case pingRequest(nonce: UInt64, target: PKIID, sender: AliveMessage, updates: [MembershipUpdate])
    /// SWIM's lazy push: "send me the alive messages of these members" (announced to the
    /// requester, which lacks them); answered with a nonce-0 ping carrying them whole.
    case want([PKIID])
    /// SWIM's pull, first step: "here is me (signed by me) and the digest of the versions I hold"
    /// (`Membership.versionDigest`). A responder with the same digest stays silent (the usual
    /// case once views converged); one with another answers `versionsWanted`, and the requester
    /// then sends a `request` naming what it holds. At 2,000 simulated peers, sending the known
    /// versions with every pull was a twentieth of all bytes received.
    case versionDigest(sender: AliveMessage, digest: UInt64)
    /// "Our digests differ: ask again, naming the versions you hold" (answers `versionDigest`).
    case versionsWanted
}

/// Where a message goes: a known peer, or an endpoint whose peer is not known yet (bootstrap and
/// anchor peers, probes of dead peers).
public enum Destination: Hashable, Sendable {
    case peer(PKIID, Endpoint)
    case endpoint(Endpoint)

    public var endpoint: Endpoint {
        switch self {
        case .peer(_, let endpoint), .endpoint(let endpoint): return endpoint
        }
    }
}
