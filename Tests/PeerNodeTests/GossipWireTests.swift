import FabnetModel
import FabnetWire
import Foundation
import GossipCore
import Testing
@testable import PeerNode

/// `GossipWire`, the pure mapping: every message the core sends comes back equal, with the
/// signed forms it carried; unknown kinds are refused; nothing is left out silently.
@Suite struct GossipWireTests {
    /// Signs nothing: an envelope is the value's payload and a fixed "signature"; another
    /// peer's value goes in the envelope it carries (as `SignedEnvelopes` does).
    struct PlainEnvelopes: EnvelopeSource {
        func envelope(of message: AliveMessage) throws -> WireEnvelope {
            if !message.signed.isEmpty {
                var envelope = try WireEnvelope(serializedBytes: message.signed.bytes)
                if message.internalEndpoint == nil { envelope.clearSecretEnvelope() }
                return envelope
            }
            return try GossipWireTests.envelope(of: message)
        }

        func envelope(of info: StateInfo) throws -> WireEnvelope {
            if !info.signed.isEmpty { return try WireEnvelope(serializedBytes: info.signed.bytes) }
            throw GossipWire.EncodingError.unsigned(info.pkiID)
        }
    }

    /// Accepts every envelope and block (the checks are `GossipVerifier`'s, tested apart).
    struct TrustingVerifier: EntryVerifier {
        func alive(_ envelope: WireEnvelope) async -> AliveMessage? {
            guard let payload = try? WireAliveMessage(serializedBytes: envelope.payload),
                  let bytes = try? envelope.serializedBytes() as [UInt8] else { return nil }
            let inner = envelope.hasSecretEnvelope
                ? (try? WireSecret(serializedBytes: envelope.secretEnvelope.payload)).flatMap { Endpoint(parsing: $0.internalEndpoint) } : nil
            return GossipWire.alive(payload, mspID: payload.identity.mspID, internalEndpoint: inner, signed: SignedForm(bytes))
        }

        func stateInfo(_ envelope: WireEnvelope) async -> StateInfo? {
            guard let payload = try? WireStateInfo(serializedBytes: envelope.payload),
                  let bytes = try? envelope.serializedBytes() as [UInt8] else { return nil }
            return GossipWire.stateInfo(payload, signed: SignedForm(bytes))
        }

        func blocks(_ payloads: [WirePayload]) async -> [GossipBlock] {
            payloads.map { GossipBlock(number: $0.seqNum, data: Array($0.data)) }
        }
    }

    static func identity(_ msp: String) -> WireSerializedIdentity {
        var identity = WireSerializedIdentity()
        identity.mspID = msp
        identity.idBytes = Data("certificate of \(msp)".utf8)
        return identity
    }

    static func envelope(of message: AliveMessage) throws -> WireEnvelope {
        var envelope = WireEnvelope()
        envelope.payload = try GossipWire.alivePayload(message, identity: identity(message.mspID)).serializedBytes()
        envelope.signature = Data([1, 2, 3])
        if let inner = message.internalEndpoint {
            var secret = WireSecret()
            secret.internalEndpoint = inner.description
            envelope.secretEnvelope.payload = try secret.serializedBytes()
            envelope.secretEnvelope.signature = Data([4, 5, 6])
        }
        return envelope
    }

    /// A value as a verifier hands it to the core: carrying the envelope it came in.
    static func signed(_ message: AliveMessage) throws -> AliveMessage {
        let bytes: [UInt8] = try envelope(of: message).serializedBytes()
        return AliveMessage(pkiID: message.pkiID, mspID: message.mspID, externalEndpoint: message.externalEndpoint,
                            internalEndpoint: message.internalEndpoint, time: message.time, signed: SignedForm(bytes))
    }

    static func signed(_ info: StateInfo) throws -> StateInfo {
        var envelope = WireEnvelope()
        envelope.payload = try GossipWire.stateInfoPayload(info, identity: identity("Org1MSP")).serializedBytes()
        envelope.signature = Data([7, 8])
        return StateInfo(pkiID: info.pkiID, channelMAC: info.channelMAC, height: info.height, time: info.time,
                         signed: SignedForm(try envelope.serializedBytes()))
    }

    static let peerA = PKIID(Array(repeating: 0xA1, count: 32))
    static let peerB = PKIID(Array(repeating: 0xB2, count: 32))
    static let mac = ChannelMAC(pkiID: peerA, channel: "mychannel")

    static func alive(_ id: PKIID, msp: String = "Org1MSP", withInternal: Bool = true, sequence: UInt64 = 3) throws -> AliveMessage {
        try signed(AliveMessage(pkiID: id, mspID: msp, externalEndpoint: Endpoint(host: "peer.example.com", port: 7051),
                                internalEndpoint: withInternal ? Endpoint(host: "peer.internal", port: 7052) : nil,
                                time: PeerTime(incarnation: 9, sequence: sequence)))
    }

    static func messages() throws -> [GossipMessage] {
        let info = try signed(StateInfo(pkiID: peerA, channelMAC: mac, height: 12, time: PeerTime(incarnation: 1, sequence: 2)))
        let block = GossipBlock(number: 5, data: [9, 8, 7, 6])
        let other = GossipBlock(number: 6, data: [1])
        return [
            .membership(.alive([try alive(peerA), try alive(peerB, msp: "Org2MSP", withInternal: false)])),
            .membership(.request(sender: try alive(peerA), viewDigest: 77)),
            .membership(.request(sender: try alive(peerA), viewDigest: 78, known: KnownVersions(times: [9: PeerTime(incarnation: 3, sequence: 1)]))),
            .membership(.response(alive: [try alive(peerA)], dead: [try alive(peerB, withInternal: false, sequence: 1)])),
            .membership(.response(alive: [], dead: [])),
            .membership(.ping(nonce: 7, sender: try alive(peerA), updates: [.suspect(peerB, time: PeerTime(incarnation: 1, sequence: 2), accuser: peerA)])),
            .membership(.ping(nonce: 8, sender: nil, updates: [.dead(peerB, time: PeerTime(incarnation: 1, sequence: 3))])),
            .membership(.ack(nonce: 8, updates: [])),
            .membership(.ack(nonce: 9, updates: [.announce(peerB, time: PeerTime(incarnation: 4, sequence: 1))])),
            .membership(.want([peerA, peerB])),
            .membership(.versionDigest(sender: try alive(peerA), digest: 0xfeed_beef_0123_4567)),
            .membership(.versionsWanted),
            .channel(mac, .leadership(LeadershipMessage(pkiID: peerA, isDeclaration: true, ledgerHeight: 4,
                                                        time: PeerTime(incarnation: 2, sequence: 3)))),
            .channel(mac, .block(block, relay: [peerA, peerB])),
            .channel(mac, .block(block, relay: [])),
            .channel(mac, .pull(.hello(nonce: 1))),
            .channel(mac, .pull(.digest(nonce: 2, numbers: [5, 6]))),
            .channel(mac, .pull(.request(nonce: 3, numbers: [6]))),
            .channel(mac, .pull(.update(nonce: 4, blocks: [block, other]))),
            .channel(mac, .stateInfo(info)),
            .channel(mac, .stateInfoRequest(digest: nil)),
            .channel(mac, .stateInfoRequest(digest: 0)),
            .channel(mac, .stateInfoRequest(digest: 42)),
            .channel(mac, .stateInfoRequest(digest: 43, known: KnownVersions(times: [7: PeerTime(incarnation: 2, sequence: 3), 1 << 63: PeerTime(incarnation: 1, sequence: 0)]))),
            .channel(mac, .stateInfoSnapshot([info])),
            .channel(mac, .stateInfoHeights([HeightClaim(key: 1 << 63, time: PeerTime(incarnation: 1_733_000_000_000, sequence: 9), height: 120),
                                              HeightClaim(key: 7, time: PeerTime(incarnation: 2, sequence: 0), height: 0)])),
            .channel(mac, .stateRequest(nonce: 5, first: 10, count: 20)),
            .channel(mac, .stateResponse(nonce: 6, blocks: [block, other])),
        ]
    }

    @Test func everyMessageKindComesBackEqualThroughItsWireForm() async throws {
        for message in try Self.messages() {
            let wire = try GossipWire.encode(message, envelopes: PlainEnvelopes())
            // Through bytes too, as on a connection.
            let received = try WireGossipMessage(serializedBytes: try wire.serializedBytes() as [UInt8])
            let decoded = await GossipWire.decode(received, verifier: TrustingVerifier())
            #expect(decoded == message, "\(message)")
        }
    }

    @Test func relayedValuesKeepTheirCreatorsSignedFormAndStrippedOnesLoseTheSecretPart() async throws {
        let full = try Self.alive(Self.peerB)
        let wire = try GossipWire.encode(.membership(.alive([full, full.withoutInternalEndpoint])), envelopes: PlainEnvelopes())
        #expect(wire.alive.alive[0] == (try WireEnvelope(serializedBytes: full.signed.bytes)))
        #expect(wire.alive.alive[0].hasSecretEnvelope)
        #expect(!wire.alive.alive[1].hasSecretEnvelope)
        #expect(wire.alive.alive[1].signature == wire.alive.alive[0].signature)
        let decoded = await GossipWire.decode(wire, verifier: TrustingVerifier())
        guard case .membership(.alive(let entries))? = decoded else { Issue.record("\(String(describing: decoded))"); return }
        #expect(entries.map(\.internalEndpoint) == [full.internalEndpoint, nil])
    }

    @Test func anotherPeersValueWithoutItsSignedFormIsAnErrorNotALeftOutEntry() throws {
        let unsigned = StateInfo(pkiID: Self.peerB, channelMAC: Self.mac, height: 1, time: PeerTime(incarnation: 1, sequence: 1))
        #expect(throws: GossipWire.EncodingError.unsigned(Self.peerB)) {
            try GossipWire.encode(.channel(Self.mac, .stateInfoSnapshot([unsigned])), envelopes: PlainEnvelopes())
        }
        let relayed = AliveMessage(pkiID: Self.peerB, mspID: "Org1MSP", externalEndpoint: nil, internalEndpoint: nil,
                                   time: PeerTime(incarnation: 1, sequence: 1))
        #expect(throws: GossipWire.EncodingError.unsigned(Self.peerB)) {
            try GossipWire.encode(.membership(.alive([relayed])), envelopes: SignedEnvelopesFixture.envelopes())
        }
    }

    @Test func anUnknownPullKindIsRefusedNotTakenForAnUpdate() async throws {
        var wire = WireGossipMessage()
        wire.channel.mac = Data(Self.mac.bytes)
        wire.channel.pull.kind = .UNRECOGNIZED(9)
        wire.channel.pull.nonce = 1
        wire.channel.pull.blocks = [GossipWire.payload(GossipBlock(number: 1, data: [1]))]
        let received = try WireGossipMessage(serializedBytes: try wire.serializedBytes() as [UInt8])
        #expect(await GossipWire.decode(received, verifier: TrustingVerifier()) == nil)
        #expect(await GossipWire.decode(WireGossipMessage(), verifier: TrustingVerifier()) == nil)
    }

    /// Relayed heights travel as four columns of one entry per peer; columns of other lengths
    /// are a malformed message, refused whole rather than read in part.
    @Test func heightColumnsOfDifferentLengthsAreRefused() async throws {
        var wire = WireGossipMessage()
        wire.channel.mac = Data(Self.mac.bytes)
        wire.channel.stateInfoHeights.peers = [1, 2]
        wire.channel.stateInfoHeights.incarnations = [1, 1]
        wire.channel.stateInfoHeights.sequences = [3, 4]
        wire.channel.stateInfoHeights.heights = [5]
        #expect(await GossipWire.decode(wire, verifier: TrustingVerifier()) == nil)
        wire.channel.stateInfoHeights.heights = [5, 6]
        let decoded = await GossipWire.decode(wire, verifier: TrustingVerifier())
        #expect(decoded == .channel(Self.mac, .stateInfoHeights([HeightClaim(key: 1, time: PeerTime(incarnation: 1, sequence: 3), height: 5),
                                                                   HeightClaim(key: 2, time: PeerTime(incarnation: 1, sequence: 4), height: 6)])))
    }

    final class Carrier: Sendable {}

    @Test func theSignedFormIsNotPartOfEqualityOrHashing() throws {
        let time = PeerTime(incarnation: 1, sequence: 1)
        let one = AliveMessage(pkiID: Self.peerA, mspID: "Org1MSP", externalEndpoint: nil, internalEndpoint: nil, time: time, signed: SignedForm([1]))
        let two = AliveMessage(pkiID: Self.peerA, mspID: "Org1MSP", externalEndpoint: nil, internalEndpoint: nil, time: time, signed: SignedForm([2]))
        #expect(one == two)
        #expect(Set([one, two]).count == 1)
        let info = StateInfo(pkiID: Self.peerA, channelMAC: Self.mac, height: 1, time: time, signed: SignedForm([1]))
        #expect(info == StateInfo(pkiID: Self.peerA, channelMAC: Self.mac, height: 1, time: time))
        #expect(GossipBlock(number: 1, data: [1], verified: Carrier()) == GossipBlock(number: 1, data: [1]))
    }
}
