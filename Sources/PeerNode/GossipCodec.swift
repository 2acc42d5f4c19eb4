import CoreMetrics
import FabnetCrypto
@_spi(Verification) import FabnetModel
import FabnetWire
import Foundation
import GossipCore

/// Turns GossipCore's messages into wire messages and back, and is where relayed content is
/// verified: every alive message and state info carries its creator's signature, checked here
/// (once per distinct envelope) before the core sees it; every block is checked against an
/// orderer signature. Entries that fail are dropped and counted; the rest of the message goes on.
///
/// The core speaks in values (`AliveMessage`, `StateInfo`); relaying needs the creator's signed
/// envelope, so the codec remembers the newest verified envelope per creator (and per channel
/// for state infos) and signs this peer's own on demand.
public final class GossipCodec: @unchecked Sendable {
    let signer: SigningIdentity
    let identities: ValidatedIdentityCache
    let ordererOrganizations: Set<String>
    let ownPKIID: PKIID
    private let lock = NSLock()
    private var alive: [PKIID: (time: PeerTime, envelope: WireEnvelope, message: AliveMessage)] = [:]
    private var stateInfos: [StateInfoKey: (time: PeerTime, envelope: WireEnvelope, info: StateInfo)] = [:]
    /// Header hashes of blocks already verified (forgotten past 4,096, then checked again).
    private var verifiedBlocks = Set<Data>()
    /// Entries or blocks dropped because their signature did not verify.
    let refused: Counter
    /// Blocks that arrived again after a first copy (from the orderer or a peer) was verified.
    let repeatedBlocks: Counter

    struct StateInfoKey: Hashable { let pkiID: PKIID; let mac: ChannelMAC }

    public init(signer: SigningIdentity, identities: ValidatedIdentityCache, ordererOrganizations: Set<String>,
                duplicates: Counter, refused: Counter) {
        self.signer = signer
        repeatedBlocks = duplicates
        self.refused = refused
        self.identities = identities
        self.ordererOrganizations = ordererOrganizations
        ownPKIID = signer.pkiID
    }

    // MARK: core → wire

    /// The wire form of `message`; entries whose signed form is unknown are left out.
    public func encode(_ message: GossipMessage) throws -> WireGossipMessage {
        var wire = WireGossipMessage()
        switch message {
        case .membership(.alive(let batch)):
            wire.alive.alive = try batch.compactMap(signed)
        case let .membership(.request(sender, digest)):
            guard let envelope = try signed(sender) else { throw PeerError.notAllowed("no signed alive message for \(sender.pkiID)") }
            wire.membershipRequest.selfInformation = envelope
            wire.membershipRequest.viewDigest = digest
        case let .membership(.response(aliveList, dead)):
            wire.membershipResponse.alive = try aliveList.compactMap(signed)
            wire.membershipResponse.dead = try dead.compactMap(signed)
        case let .channel(mac, inner):
            wire.channel = try encode(inner, mac: mac)
        }
        return wire
    }

    private func encode(_ message: ChannelMessage, mac: ChannelMAC) throws -> WireChannelMessage {
        var wire = WireChannelMessage()
        wire.mac = Data(mac.bytes)
        switch message {
        case .leadership(let leadership):
            wire.leadership.pkiID = Data(leadership.pkiID.bytes)
            wire.leadership.timestamp = Self.wire(leadership.time)
            wire.leadership.isDeclaration = leadership.isDeclaration
            wire.leadership.ledgerHeight = leadership.ledgerHeight
        case let .block(block, relay):
            wire.block = Self.payload(block)
            wire.block.relay = relay.map { Data($0.bytes) }
        case .pull(let pull):
            var wirePull = WirePullMessage()
            switch pull {
            case .hello(let nonce): wirePull.kind = .hello; wirePull.nonce = nonce
            case let .digest(nonce, numbers): wirePull.kind = .digest; wirePull.nonce = nonce; wirePull.numbers = numbers
            case let .request(nonce, numbers): wirePull.kind = .request; wirePull.nonce = nonce; wirePull.numbers = numbers
            case let .update(nonce, blocks): wirePull.kind = .update; wirePull.nonce = nonce; wirePull.blocks = blocks.map(Self.payload)
            }
            wire.pull = wirePull
        case .stateInfo(let info):
            guard let envelope = try signed(info) else { throw PeerError.notAllowed("no signed state info for \(info.pkiID)") }
            wire.stateInfo = envelope
        case .stateInfoRequest(let digest):
            wire.stateInfoRequest.withDigest = digest != nil
            wire.stateInfoRequest.digest = digest ?? 0
        case .stateInfoSnapshot(let infos):
            wire.stateInfoSnapshot.elements = try infos.compactMap(signed)
        case let .stateRequest(nonce, first, count):
            wire.stateRequest.nonce = nonce
            wire.stateRequest.first = first
            wire.stateRequest.count = UInt64(count)
        case let .stateResponse(nonce, blocks):
            wire.stateResponse.nonce = nonce
            wire.stateResponse.payloads = blocks.map(Self.payload)
        }
        return wire
    }

    /// The signed envelope of `message`: this peer's own is signed now (once per time); another
    /// peer's is the one received, without its secret part when `message` has no internal endpoint.
    func signed(_ message: AliveMessage) throws -> WireEnvelope? {
        if message.pkiID == ownPKIID {
            if let cached = lock.withLock({ alive[ownPKIID] }), cached.time == message.time, cached.message == message { return cached.envelope }
            var payload = WireAliveMessage()
            payload.pkiID = Data(message.pkiID.bytes)
            payload.identity = signer.serialized
            if let external = message.externalEndpoint { payload.externalEndpoint = WireEndpoint(host: external.host, port: external.port) }
            payload.timestamp = Self.wire(message.time)
            var envelope = try EnvelopeSealing.seal(payload, by: signer)
            if let internalEndpoint = message.internalEndpoint {
                var secret = WireSecret()
                secret.internalEndpoint = internalEndpoint.description
                let sealed = try EnvelopeSealing.seal(secret, by: signer)
                envelope.secretEnvelope.payload = sealed.payload
                envelope.secretEnvelope.signature = sealed.signature
            }
            lock.withLock { alive[ownPKIID] = (message.time, envelope, message) }
            return envelope
        }
        guard let cached = lock.withLock({ alive[message.pkiID] }), cached.time == message.time else { return nil }
        var envelope = cached.envelope
        if message.internalEndpoint == nil { envelope.clearSecretEnvelope() }
        return envelope
    }

    func signed(_ info: StateInfo) throws -> WireEnvelope? {
        let key = StateInfoKey(pkiID: info.pkiID, mac: info.channelMAC)
        if let cached = lock.withLock({ stateInfos[key] }), cached.time == info.time, cached.info == info { return cached.envelope }
        guard info.pkiID == ownPKIID else { return nil }
        var payload = WireStateInfo()
        payload.pkiID = Data(info.pkiID.bytes)
        payload.identity = signer.serialized
        payload.channelMac = Data(info.channelMAC.bytes)
        payload.ledgerHeight = info.height
        payload.timestamp = Self.wire(info.time)
        let envelope = try EnvelopeSealing.seal(payload, by: signer)
        lock.withLock { stateInfos[key] = (info.time, envelope, info) }
        return envelope
    }

    // MARK: wire → core

    /// The core's message for `wire`, received on a connection authenticated as `sender`;
    /// `nil` when nothing in it survives verification.
    public func decode(_ wire: WireGossipMessage, from sender: VerifiedSigner) async -> Verified<GossipMessage>? {
        let message: GossipMessage?
        switch wire.content {
        case .alive(let batch)?:
            var entries: [AliveMessage] = []
            for envelope in batch.alive { if let entry = await verifiedAlive(envelope) { entries.append(entry) } }
            message = entries.isEmpty ? nil : .membership(.alive(entries))
        case .membershipRequest(let request)?:
            message = await verifiedAlive(request.selfInformation).map { .membership(.request(sender: $0, viewDigest: request.viewDigest)) }
        case .membershipResponse(let response)?:
            var aliveList: [AliveMessage] = [], dead: [AliveMessage] = []
            for envelope in response.alive { if let entry = await verifiedAlive(envelope) { aliveList.append(entry) } }
            for envelope in response.dead { if let entry = await verifiedAlive(envelope) { dead.append(entry) } }
            message = .membership(.response(alive: aliveList, dead: dead))
        case .channel(let channel)?:
            message = await decode(channel).map { .channel(ChannelMAC(bytes: Array(channel.mac)), $0) }
        case nil:
            message = nil
        }
        return message.map { Verified(value: $0, signer: sender) }
    }

    private func decode(_ wire: WireChannelMessage) async -> ChannelMessage? {
        switch wire.content {
        case .leadership(let leadership)?:
            return .leadership(LeadershipMessage(pkiID: PKIID(Array(leadership.pkiID)), isDeclaration: leadership.isDeclaration,
                                                 ledgerHeight: leadership.ledgerHeight, time: Self.time(leadership.timestamp)))
        case .block(let payload)?:
            return await verifiedBlock(payload).map { .block($0, relay: payload.relay.map { PKIID(Array($0)) }) }
        case .pull(let pull)?:
            switch pull.kind {
            case .hello: return .pull(.hello(nonce: pull.nonce))
            case .digest: return .pull(.digest(nonce: pull.nonce, numbers: pull.numbers))
            case .request: return .pull(.request(nonce: pull.nonce, numbers: pull.numbers))
            case .update, .UNRECOGNIZED:
                return .pull(.update(nonce: pull.nonce, blocks: await verifiedBlocks(pull.blocks)))
            }
        case .stateInfo(let envelope)?:
            return await verifiedStateInfo(envelope).map { .stateInfo($0) }
        case .stateInfoRequest(let request)?:
            return .stateInfoRequest(digest: request.withDigest ? request.digest : nil)
        case .stateInfoSnapshot(let snapshot)?:
            var infos: [StateInfo] = []
            for envelope in snapshot.elements { if let info = await verifiedStateInfo(envelope) { infos.append(info) } }
            return .stateInfoSnapshot(infos)
        case .stateRequest(let request)?:
            return .stateRequest(nonce: request.nonce, first: request.first, count: Int(clamping: request.count))
        case .stateResponse(let response)?:
            return .stateResponse(nonce: response.nonce, blocks: await verifiedBlocks(response.payloads))
        case nil:
            return nil
        }
    }

    /// The alive message of a signed envelope, if its creator signed it (and its secret part).
    func verifiedAlive(_ envelope: WireEnvelope) async -> AliveMessage? {
        guard let payload = try? WireAliveMessage(serializedBytes: envelope.payload) else { return refuse() }
        let id = PKIID(Array(payload.pkiID))
        let time = Self.time(payload.timestamp)
        if let cached = lock.withLock({ alive[id] }), cached.envelope.payload == envelope.payload, cached.envelope.signature == envelope.signature,
           !envelope.hasSecretEnvelope || cached.envelope.secretEnvelope == envelope.secretEnvelope {
            return envelope.hasSecretEnvelope ? cached.message : cached.message.withoutInternalEndpoint
        }
        guard let signer = try? await identities.verify(signature: envelope.signature, over: envelope.payload, by: payload.identity),
              signer.pkiID == id, signer.role == .peer || signer.role == .member else { return refuse() }
        var internalEndpoint: Endpoint?
        if envelope.hasSecretEnvelope {
            guard (try? await identities.verify(signature: envelope.secretEnvelope.signature, over: envelope.secretEnvelope.payload,
                                                by: payload.identity)) != nil,
                  let secret = try? WireSecret(serializedBytes: envelope.secretEnvelope.payload),
                  let endpoint = Endpoint(parsing: secret.internalEndpoint) else { return refuse() }
            internalEndpoint = endpoint
        }
        let external = payload.hasExternalEndpoint ? Endpoint(host: payload.externalEndpoint.host, port: Int(payload.externalEndpoint.port)) : nil
        let message = AliveMessage(pkiID: id, mspID: signer.mspID, externalEndpoint: external, internalEndpoint: internalEndpoint, time: time)
        lock.withLock {
            // Keep the newest, and prefer a copy with its secret part for the same time.
            if let known = alive[id], known.time > time || (known.time == time && known.envelope.hasSecretEnvelope && !envelope.hasSecretEnvelope) { return }
            alive[id] = (time, envelope, message)
        }
        return message
    }

    func verifiedStateInfo(_ envelope: WireEnvelope) async -> StateInfo? {
        guard let payload = try? WireStateInfo(serializedBytes: envelope.payload) else { return refuse() }
        let info = StateInfo(pkiID: PKIID(Array(payload.pkiID)), channelMAC: ChannelMAC(bytes: Array(payload.channelMac)),
                             height: payload.ledgerHeight, time: Self.time(payload.timestamp))
        let key = StateInfoKey(pkiID: info.pkiID, mac: info.channelMAC)
        if let cached = lock.withLock({ stateInfos[key] }), cached.envelope == envelope { return cached.info }
        guard let signer = try? await identities.verify(signature: envelope.signature, over: envelope.payload, by: payload.identity),
              signer.pkiID == info.pkiID else { return refuse() }
        lock.withLock {
            if let known = stateInfos[key], known.time >= info.time { return }
            stateInfos[key] = (info.time, envelope, info)
        }
        return info
    }

    /// The blocks of `payloads` that pass `verifiedBlock`, in order, checked on all cores at once
    /// (a state-transfer batch is mostly signature checks).
    func verifiedBlocks(_ payloads: [WirePayload]) async -> [GossipBlock] {
        await withTaskGroup(of: (Int, GossipBlock?).self) { group in
            for (index, payload) in payloads.enumerated() { group.addTask { (index, await self.verifiedBlock(payload)) } }
            var blocks = [GossipBlock?](repeating: nil, count: payloads.count)
            for await (index, block) in group { blocks[index] = block }
            return blocks.compactMap { $0 }
        }
    }

    /// The block of a payload, if an orderer signed it and its number is the one announced.
    func verifiedBlock(_ payload: WirePayload) async -> GossipBlock? {
        guard let block = try? WireBlock(serializedBytes: payload.data), block.header.number == payload.seqNum,
              await verify(block) else { return refuse() }
        return GossipBlock(number: payload.seqNum, data: Array(payload.data))
    }

    /// Whether `block`'s data hash matches its header and an orderer signed it (each block once).
    public func verify(_ block: WireBlock) async -> Bool {
        let hash = BlockHasher.headerHash(number: block.header.number, previousHash: block.header.previousHash, dataHash: block.header.dataHash)
        if lock.withLock({ verifiedBlocks.contains(hash) }) {
            repeatedBlocks.increment()
            return true
        }
        guard BlockHasher.dataHash(block.data.transactions) == block.header.dataHash,
              (try? await identities.verifyBlock(block, ordererOrgs: ordererOrganizations)) != nil else { return false }
        lock.withLock {
            if verifiedBlocks.count >= 4096 { verifiedBlocks.removeAll(keepingCapacity: true) }
            verifiedBlocks.insert(hash)
        }
        return true
    }

    private func refuse<T>() -> T? {
        refused.increment()
        return nil
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
