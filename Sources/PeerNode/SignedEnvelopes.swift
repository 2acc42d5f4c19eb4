import FabnetCrypto
import FabnetModel
import FabnetWire
import GossipCore
import Synchronization

/// The signed envelopes of the values this peer sends: another peer's value goes in the envelope
/// its creator signed (carried in the value, `SignedForm`); this peer's own is signed here.
///
/// Guarantees: an envelope without its secret part leaves for a value whose internal endpoint is
/// nil (stripped for another org); another peer's value without a signed form is an error
/// (`GossipWire.EncodingError.unsigned`), never left out silently. Its memory is the last
/// envelope it signed for its own alive message, with and without the internal endpoint (own
/// org and other orgs), and one per channel for its own state info (bounded by the channels),
/// kept so a value sent to many peers is signed once.
final class SignedEnvelopes: EnvelopeSource {
    let signer: SigningIdentity
    let ownPKIID: PKIID
    /// Keyed by whether the message carries the internal endpoint.
    private let ownAlive = Mutex<[Bool: (message: AliveMessage, envelope: WireEnvelope)]>([:])
    private let ownStateInfos = Mutex<[ChannelMAC: (info: StateInfo, envelope: WireEnvelope)]>([:])

    init(signer: SigningIdentity) {
        self.signer = signer
        ownPKIID = signer.pkiID
    }

    func envelope(of message: AliveMessage) throws -> WireEnvelope {
        if !message.signed.isEmpty {
            var envelope = try WireEnvelope(serializedBytes: message.signed.bytes)
            if message.internalEndpoint == nil { envelope.clearSecretEnvelope() }
            return envelope
        }
        guard message.pkiID == ownPKIID else { throw GossipWire.EncodingError.unsigned(message.pkiID) }
        let withSecret = message.internalEndpoint != nil
        if let cached = ownAlive.withLock({ $0[withSecret] }), cached.message == message { return cached.envelope }
        var envelope = try EnvelopeSealing.seal(GossipWire.alivePayload(message, identity: signer.serialized), by: signer)
        if let internalEndpoint = message.internalEndpoint {
            var secret = WireSecret()
            secret.internalEndpoint = internalEndpoint.description
            let sealed = try EnvelopeSealing.seal(secret, by: signer)
            envelope.secretEnvelope.payload = sealed.payload
            envelope.secretEnvelope.signature = sealed.signature
        }
        ownAlive.withLock { $0[withSecret] = (message, envelope) }
        return envelope
    }

    func envelope(of info: StateInfo) throws -> WireEnvelope {
        if !info.signed.isEmpty { return try WireEnvelope(serializedBytes: info.signed.bytes) }
        guard info.pkiID == ownPKIID else { throw GossipWire.EncodingError.unsigned(info.pkiID) }
        if let cached = ownStateInfos.withLock({ $0[info.channelMAC] }), cached.info == info { return cached.envelope }
        let envelope = try EnvelopeSealing.seal(GossipWire.stateInfoPayload(info, identity: signer.serialized), by: signer)
        ownStateInfos.withLock { $0[info.channelMAC] = (info, envelope) }
        return envelope
    }
}
