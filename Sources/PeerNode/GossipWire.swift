import FabnetModel
import FabnetWire
import Foundation
import GossipCore

/// Where the signed envelope of a value the core relays comes from when it is encoded.
protocol EnvelopeSource: Sendable {
    func envelope(of message: AliveMessage) throws -> WireEnvelope
    func envelope(of info: StateInfo) throws -> WireEnvelope
}

/// What turns the signed or signature-bearing parts of a wire message into core values: a value
/// comes back only if it passed the check (the peer's `GossipVerifier`).
protocol EntryVerifier: Sendable {
    func alive(_ envelope: WireEnvelope) async -> AliveMessage?
    func stateInfo(_ envelope: WireEnvelope) async -> StateInfo?
    /// The blocks of `payloads` that pass, in order.
    func blocks(_ payloads: [WirePayload]) async -> [GossipBlock]
}

/// The mapping between GossipCore's messages and their wire form, and nothing else: no
/// signatures are checked or made here (an `EnvelopeSource` gives the signed envelopes to send,
/// an `EntryVerifier` checks what arrives) and nothing is remembered.
///
/// Guarantees: `decode(encode(m))` is `m` for every message the core sends, given entry
/// verifiers that accept what the source signed; every entry of a message is encoded or the
/// encoding fails (`EncodingError`), none is left out silently; a wire message of a kind this
/// peer does not know (an unknown pull kind, an empty content) decodes to nil.
enum GossipWire {
    /// Why a message could not be encoded.
    enum EncodingError: Error, Equatable, CustomStringConvertible {
        /// Another peer's value without the signed form it came with (a shell contract violation).
        case unsigned(PKIID)

        var description: String {
            switch self {
            case .unsigned(let id): return "no signed form for the value of \(id)"
            }
        }
    }

    // MARK: core → wire

    static func encode(_ message: GossipMessage, envelopes: some EnvelopeSource) throws -> WireGossipMessage {
        var wire = WireGossipMessage()
        switch message {
        case .membership(.alive(let batch)):
            wire.alive.alive = try batch.map { try envelopes.envelope(of: $0) }
        case let .membership(.request(sender, digest, known)):
            wire.membershipRequest.selfInformation = try envelopes.envelope(of: sender)
            wire.membershipRequest.viewDigest = digest
            (wire.membershipRequest.knownPeers, wire.membershipRequest.knownIncarnations, wire.membershipRequest.knownSequences) = columns(known)
        case let .membership(.response(aliveList, dead)):
            wire.membershipResponse.alive = try aliveList.map { try envelopes.envelope(of: $0) }
            wire.membershipResponse.dead = try dead.map { try envelopes.envelope(of: $0) }
        case let .membership(.ping(nonce, sender, updates)):
            wire.probe = try probe(.ping, nonce: nonce, sender: sender, updates: updates, envelopes: envelopes)
        case let .membership(.ack(nonce, updates)):
            wire.probe = try probe(.ack, nonce: nonce, sender: nil, updates: updates, envelopes: envelopes)
        case let .membership(.pingRequest(nonce, target, sender, updates)):
            wire.probe = try probe(.pingRequest, nonce: nonce, sender: sender, updates: updates, envelopes: envelopes)
            wire.probe.target = Data(target.bytes)
        case .membership(.want(let ids)):
            wire.want.pkiIds = ids.map { Data($0.bytes) }
        case let .membership(.versionDigest(sender, digest)):
            wire.versionDigest.selfInformation = try envelopes.envelope(of: sender)
            wire.versionDigest.digest = digest
        case .membership(.versionsWanted):
            wire.versionsWanted = WireVersionsWanted()
        case let .channel(mac, inner):
            wire.channel = try encode(inner, mac: mac, envelopes: envelopes)
        }
        return wire
    }

    private static func probe(_ kind: WireProbe.Kind, nonce: UInt64, sender: AliveMessage?, updates: [MembershipUpdate],
                              envelopes: some EnvelopeSource) throws -> WireProbe {
        var probe = WireProbe()
        probe.kind = kind
        probe.nonce = nonce
        if let sender { probe.sender = try envelopes.envelope(of: sender) }
        probe.updates = try updates.map { update in
            var wire = WireMembershipUpdate()
            switch update {
            case .alive(let alive):
                wire.kind = .alive
                wire.alive = try envelopes.envelope(of: alive)
            case let .suspect(id, time, accuser):
                wire.kind = .suspect
                wire.pkiID = Data(id.bytes)
                wire.timestamp = Self.wire(time)
                wire.accuser = Data(accuser.bytes)
            case let .dead(id, time):
                wire.kind = .dead
                wire.pkiID = Data(id.bytes)
                wire.timestamp = Self.wire(time)
            case let .announce(id, time):
                wire.kind = .announce
                wire.pkiID = Data(id.bytes)
                wire.timestamp = Self.wire(time)
            }
            return wire
        }
        return probe
    }

    private static func decode(_ probe: WireProbe, verifier: some EntryVerifier) async -> MembershipMessage? {
        var updates: [MembershipUpdate] = []
        for update in probe.updates {
            switch update.kind {
            case .alive: if let alive = await verifier.alive(update.alive) { updates.append(.alive(alive)) }
            case .suspect:
                updates.append(.suspect(PKIID(Array(update.pkiID)), time: time(update.timestamp), accuser: PKIID(Array(update.accuser))))
            case .dead: updates.append(.dead(PKIID(Array(update.pkiID)), time: time(update.timestamp)))
            case .announce: updates.append(.announce(PKIID(Array(update.pkiID)), time: time(update.timestamp)))
            case .UNRECOGNIZED: continue
            }
        }
        switch probe.kind {
        case .ping:
            guard probe.hasSender else { return .ping(nonce: probe.nonce, sender: nil, updates: updates) }
            guard let sender = await verifier.alive(probe.sender) else { return nil }
            return .ping(nonce: probe.nonce, sender: sender, updates: updates)
        case .ack:
            return .ack(nonce: probe.nonce, updates: updates)
        case .pingRequest:
            guard let sender = await verifier.alive(probe.sender) else { return nil }
            return .pingRequest(nonce: probe.nonce, target: PKIID(Array(probe.target)), sender: sender, updates: updates)
        case .UNRECOGNIZED:
            return nil
        }
    }

    private static func encode(_ message: ChannelMessage, mac: ChannelMAC, envelopes: some EnvelopeSource) throws -> WireChannelMessage {
        var wire = WireChannelMessage()
        wire.mac = Data(mac.bytes)
        switch message {
        case .leadership(let leadership):
            wire.leadership.pkiID = Data(leadership.pkiID.bytes)
            wire.leadership.timestamp = Self.wire(leadership.time)
            wire.leadership.isDeclaration = leadership.isDeclaration
            wire.leadership.ledgerHeight = leadership.ledgerHeight
        case let .block(block, relay):
            wire.block = payload(block)
            wire.block.relay = relay.map { Data($0.bytes) }
        case .pull(let pull):
            var wirePull = WirePullMessage()
            switch pull {
            case .hello(let nonce): wirePull.kind = .hello; wirePull.nonce = nonce
            case let .digest(nonce, numbers): wirePull.kind = .digest; wirePull.nonce = nonce; wirePull.numbers = numbers
            case let .request(nonce, numbers): wirePull.kind = .request; wirePull.nonce = nonce; wirePull.numbers = numbers
            case let .update(nonce, blocks): wirePull.kind = .update; wirePull.nonce = nonce; wirePull.blocks = blocks.map(payload)
            }
            wire.pull = wirePull
        case .stateInfo(let info):
            wire.stateInfo = try envelopes.envelope(of: info)
        case let .stateInfoRequest(digest, known):
            wire.stateInfoRequest.withDigest = digest != nil
            wire.stateInfoRequest.digest = digest ?? 0
            (wire.stateInfoRequest.knownPeers, wire.stateInfoRequest.knownIncarnations, wire.stateInfoRequest.knownSequences) = columns(known)
        case .stateInfoSnapshot(let infos):
            wire.stateInfoSnapshot.elements = try infos.map { try envelopes.envelope(of: $0) }
        case .stateInfoHeights(let claims):
            wire.stateInfoHeights.peers = claims.map(\.key)
            wire.stateInfoHeights.incarnations = claims.map(\.time.incarnation)
            wire.stateInfoHeights.sequences = claims.map(\.time.sequence)
            wire.stateInfoHeights.heights = claims.map(\.height)
        case let .stateRequest(nonce, first, count):
            wire.stateRequest.nonce = nonce
            wire.stateRequest.first = first
            wire.stateRequest.count = UInt64(count)
        case let .stateResponse(nonce, blocks):
            wire.stateResponse.nonce = nonce
            wire.stateResponse.payloads = blocks.map(payload)
        }
        return wire
    }

    // MARK: wire → core

    /// The core's message for `wire`; nil when it is of an unknown kind or nothing in it
    /// survives `verifier` (entries that fail are left out, the rest goes on).
    static func decode(_ wire: WireGossipMessage, verifier: some EntryVerifier) async -> GossipMessage? {
        switch wire.content {
        case .alive(let batch)?:
            var entries: [AliveMessage] = []
            for envelope in batch.alive { if let entry = await verifier.alive(envelope) { entries.append(entry) } }
            return entries.isEmpty ? nil : .membership(.alive(entries))
        case .membershipRequest(let request)?:
            guard let known = known(request.knownPeers, request.knownIncarnations, request.knownSequences) else { return nil }
            return await verifier.alive(request.selfInformation).map { .membership(.request(sender: $0, viewDigest: request.viewDigest, known: known)) }
        case .membershipResponse(let response)?:
            var aliveList: [AliveMessage] = [], dead: [AliveMessage] = []
            for envelope in response.alive { if let entry = await verifier.alive(envelope) { aliveList.append(entry) } }
            for envelope in response.dead { if let entry = await verifier.alive(envelope) { dead.append(entry) } }
            return .membership(.response(alive: aliveList, dead: dead))
        case .want(let want)?:
            return .membership(.want(want.pkiIds.map { PKIID(Array($0)) }))
        case .versionDigest(let request)?:
            return await verifier.alive(request.selfInformation).map { .membership(.versionDigest(sender: $0, digest: request.digest)) }
        case .versionsWanted?:
            return .membership(.versionsWanted)
        case .probe(let probe)?:
            return await decode(probe, verifier: verifier).map { .membership($0) }
        case .channel(let channel)?:
            return await decode(channel, verifier: verifier).map { .channel(ChannelMAC(bytes: Array(channel.mac)), $0) }
        case nil:
            return nil
        }
    }

    private static func decode(_ wire: WireChannelMessage, verifier: some EntryVerifier) async -> ChannelMessage? {
        switch wire.content {
        case .leadership(let leadership)?:
            return .leadership(LeadershipMessage(pkiID: PKIID(Array(leadership.pkiID)), isDeclaration: leadership.isDeclaration,
                                                 ledgerHeight: leadership.ledgerHeight, time: time(leadership.timestamp)))
        case .block(let payload)?:
            return await verifier.blocks([payload]).first.map { .block($0, relay: payload.relay.map { PKIID(Array($0)) }) }
        case .pull(let pull)?:
            switch pull.kind {
            case .hello: return .pull(.hello(nonce: pull.nonce))
            case .digest: return .pull(.digest(nonce: pull.nonce, numbers: pull.numbers))
            case .request: return .pull(.request(nonce: pull.nonce, numbers: pull.numbers))
            case .update: return .pull(.update(nonce: pull.nonce, blocks: await verifier.blocks(pull.blocks)))
            case .UNRECOGNIZED: return nil
            }
        case .stateInfo(let envelope)?:
            return await verifier.stateInfo(envelope).map { .stateInfo($0) }
        case .stateInfoRequest(let request)?:
            guard let known = known(request.knownPeers, request.knownIncarnations, request.knownSequences) else { return nil }
            return .stateInfoRequest(digest: request.withDigest ? request.digest : nil, known: known)
        case .stateInfoSnapshot(let snapshot)?:
            var infos: [StateInfo] = []
            for envelope in snapshot.elements { if let info = await verifier.stateInfo(envelope) { infos.append(info) } }
            return .stateInfoSnapshot(infos)
        case .stateInfoHeights(let heights)?:
            let count = heights.peers.count
            guard heights.incarnations.count == count, heights.sequences.count == count, heights.heights.count == count else { return nil }
            return .stateInfoHeights((0..<count).map {
                HeightClaim(key: heights.peers[$0], time: PeerTime(incarnation: heights.incarnations[$0], sequence: heights.sequences[$0]),
                            height: heights.heights[$0])
            })
        case .stateRequest(let request)?:
            return .stateRequest(nonce: request.nonce, first: request.first, count: Int(clamping: request.count))
        case .stateResponse(let response)?:
            return .stateResponse(nonce: response.nonce, blocks: await verifier.blocks(response.payloads))
        case nil:
            return nil
        }
    }

    // MARK: values inside signed payloads

    /// The alive message a verified payload says, with the signed envelope it came in.
    /// `known` as three packed columns (keys sorted, so equal values encode alike).
    static func columns(_ known: KnownVersions) -> ([UInt64], [UInt64], [UInt64]) {
        let versions = Array(known.sortedEntries)
        return (versions.map(\.0), versions.map(\.1.incarnation), versions.map(\.1.sequence))
    }

    /// The columns back as `KnownVersions`; nil when their lengths differ (a malformed request).
    static func known(_ keys: [UInt64], _ incarnations: [UInt64], _ sequences: [UInt64]) -> KnownVersions? {
        guard keys.count == incarnations.count, keys.count == sequences.count else { return nil }
        return KnownVersions(entries: keys.indices.map { (keys[$0], PeerTime(incarnation: incarnations[$0], sequence: sequences[$0])) })
    }

    static func alive(_ payload: WireAliveMessage, mspID: String, internalEndpoint: Endpoint?, signed: SignedForm) -> AliveMessage {
        let external = payload.hasExternalEndpoint ? Endpoint(host: payload.externalEndpoint.host, port: Int(payload.externalEndpoint.port)) : nil
        return AliveMessage(pkiID: PKIID(Array(payload.pkiID)), mspID: mspID, externalEndpoint: external,
                            internalEndpoint: internalEndpoint, time: time(payload.timestamp), signed: signed)
    }

    /// The alive payload of `message` (what its creator signs).
    static func alivePayload(_ message: AliveMessage, identity: WireSerializedIdentity) -> WireAliveMessage {
        var payload = WireAliveMessage()
        payload.pkiID = Data(message.pkiID.bytes)
        payload.identity = identity
        if let external = message.externalEndpoint { payload.externalEndpoint = WireEndpoint(host: external.host, port: external.port) }
        payload.timestamp = wire(message.time)
        return payload
    }

    static func stateInfo(_ payload: WireStateInfo, signed: SignedForm) -> StateInfo {
        StateInfo(pkiID: PKIID(Array(payload.pkiID)), channelMAC: ChannelMAC(bytes: Array(payload.channelMac)),
                  height: payload.ledgerHeight, time: time(payload.timestamp), signed: signed)
    }

    static func stateInfoPayload(_ info: StateInfo, identity: WireSerializedIdentity) -> WireStateInfo {
        var payload = WireStateInfo()
        payload.pkiID = Data(info.pkiID.bytes)
        payload.identity = identity
        payload.channelMac = Data(info.channelMAC.bytes)
        payload.ledgerHeight = info.height
        payload.timestamp = wire(info.time)
        return payload
    }

    // MARK: helpers

    static func payload(_ block: GossipBlock) -> WirePayload {
        var payload = WirePayload()
        payload.seqNum = block.number
        payload.data = Data(block.data)
        return payload
    }

    static func wire(_ time: PeerTime) -> WirePeerTime {
        var wire = WirePeerTime()
        wire.incNum = time.incarnation
        wire.seqNum = time.sequence
        return wire
    }

    static func time(_ wire: WirePeerTime) -> PeerTime { PeerTime(incarnation: wire.incNum, sequence: wire.seqNum) }
}
