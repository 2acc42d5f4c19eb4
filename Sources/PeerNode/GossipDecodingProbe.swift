import FabnetModel
import FabnetWire
import FabricWire
import GossipCore

/// The gossip codec's way in for fuzzing and for replaying what fuzzing found: bytes as a peer
/// receives them in a frame's gossip message, decoded as the peer decodes them, with the
/// signature checks replaced by the parsing that follows them (so a fuzzer reaches past them).
///
/// Guarantees: never traps for any input; returns whether a core message came out.
public enum GossipDecodingProbe {
    public static func decode(_ bytes: [UInt8]) async -> Bool {
        guard let wire = try? WireGossipMessage(serializedBytes: bytes) else { return false }
        return await GossipWire.decode(wire, verifier: UncheckedEntries()) != nil
    }
}

/// Parses entries as `GossipVerifier` does once their signatures verified, checking none: for
/// `GossipDecodingProbe` alone.
struct UncheckedEntries: EntryVerifier {
    func alive(_ envelope: WireEnvelope) async -> AliveMessage? {
        guard let payload = try? WireAliveMessage(serializedBytes: envelope.payload), let bytes = try? envelope.serializedBytes() as [UInt8] else { return nil }
        var internalEndpoint: Endpoint?
        if envelope.hasSecretEnvelope {
            guard let secret = try? WireSecret(serializedBytes: envelope.secretEnvelope.payload),
                  let endpoint = Endpoint(parsing: secret.internalEndpoint) else { return nil }
            internalEndpoint = endpoint
        }
        return GossipWire.alive(payload, mspID: payload.identity.mspID, internalEndpoint: internalEndpoint, signed: SignedForm(bytes))
    }

    func stateInfo(_ envelope: WireEnvelope) async -> StateInfo? {
        guard let payload = try? WireStateInfo(serializedBytes: envelope.payload), let bytes = try? envelope.serializedBytes() as [UInt8] else { return nil }
        return GossipWire.stateInfo(payload, signed: SignedForm(bytes))
    }

    func blocks(_ payloads: [WirePayload]) async -> [GossipBlock] {
        payloads.compactMap { payload in
            let bytes = [UInt8](payload.data)
            guard let block = try? Common_Block(serializedBytes: bytes), block.header.number == payload.seqNum else { return nil }
            return GossipBlock(number: payload.seqNum, data: bytes)
        }
    }
}
