import CoreMetrics
import FabnetCrypto
@_spi(Verification) import FabnetModel
import FabnetWire
import FabricWire
import GossipCore
import NIOCore

/// The peer's gossip codec: the wire mapping (`GossipWire`) joined to signature checks on the way
/// in (`GossipVerifier`) and signed envelopes on the way out (`SignedEnvelopes`).
///
/// Guarantees: the core only gets values that passed the verifier, each carrying its signed form
/// (relayed values) or its `VerifiedBlock` (blocks); the codec keeps no copy of protocol state
/// (what relaying needs travels in the core's values, owned and evicted by the core's tables);
/// its counters are swift-metrics counters and its memos `Mutex`-guarded, so it is used from any
/// task without a lock of its own.
public final class GossipCodec: Sendable {
    let verifier: GossipVerifier
    let envelopes: SignedEnvelopes
    /// Logs what the verifier refuses, per sender and reason at most once a minute (none: silent).
    let reporter: RefusalReporter?

    public convenience init(signer: SigningIdentity, identities: ValidatedIdentityCache, ordererOrganizations: Set<String>,
                            duplicates: Counter, refused: Counter) {
        self.init(signer: signer, identities: identities, ordererOrganizations: ordererOrganizations, duplicates: duplicates,
                  refused: refused, reporter: nil)
    }

    init(signer: SigningIdentity, identities: ValidatedIdentityCache, ordererOrganizations: Set<String>,
         duplicates: Counter, refused: Counter, reporter: RefusalReporter?) {
        verifier = GossipVerifier(identities: identities, ordererOrganizations: ordererOrganizations, refused: refused,
                                  repeatedBlocks: duplicates)
        envelopes = SignedEnvelopes(signer: signer)
        self.reporter = reporter
    }

    /// The wire form of `message`; fails (`GossipWire.EncodingError`) rather than leave an entry out.
    public func encode(_ message: GossipMessage) throws -> WireGossipMessage {
        try GossipWire.encode(message, envelopes: envelopes)
    }

    /// `message` as an encoded packet, ready for any number of connections.
    func encodedPacket(_ message: GossipMessage) throws -> ByteBuffer {
        var packet = WirePacket()
        packet.gossipMessage = try encode(message)
        return try packet.frameBuffer()
    }

    /// The core's message for `wire`, received on a connection authenticated as `sender`;
    /// `nil` when it is of an unknown kind or nothing in it survives verification.
    public func decode(_ wire: WireGossipMessage, from sender: VerifiedSigner) async -> Verified<GossipMessage>? {
        let checking: any EntryVerifier = reporter.map { ReportingVerifier(base: verifier, sender: sender, reporter: $0) } ?? verifier
        return await GossipWire.decode(wire, verifier: checking).map { Verified(value: $0, signer: sender) }
    }

    /// `block` from the orderer, encoded once into `bytes`, if an orderer signed it and its data
    /// matches its header.
    func verify(_ block: Common_Block, serialized bytes: [UInt8]) async -> VerifiedBlock? {
        await verifier.verify(block, serialized: bytes)
    }
}
