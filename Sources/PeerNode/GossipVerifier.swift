import CoreMetrics
import FabnetCrypto
import FabnetModel
import FabnetWire
import FabricWire
import Foundation
import Ledger
import OperationsEndpoint
import TxValidation
import GossipCore

/// Where what other peers relay is checked before the core sees it: every alive message and
/// state info against its creator's signature (an alive message's secret part too, unless the
/// internal endpoint it names is the signed external one), every block against an orderer's
/// signature and its data hash. A value that passes carries its signed form (`SignedForm`, or for blocks a
/// `VerifiedBlock`), so the core's own tables hold what relaying and committing need.
///
/// Guarantees: holds no protocol state; its only memory is two bounded memos of signatures
/// already checked (`RecentlyVerified`), which save work and decide nothing; every refusal is
/// counted in `refused` (a swift-metrics counter, safe from any task).
final class GossipVerifier: EntryVerifier {
    let identities: ValidatedIdentityCache
    let ordererOrganizations: Set<String>
    /// Entries or blocks dropped because their signature (or data hash) did not verify.
    let refused: Counter
    /// Blocks that arrived again after a first copy (from the orderer or a peer) was verified.
    let repeatedBlocks: Counter
    /// Header hashes of blocks whose signature was verified, with their prepared transactions.
    let recentBlocks = RecentlyVerified<Data, [CandidateTransaction]>()
    /// Checked envelopes by signature: the payload and secret part checked with it, and the value.
    let recentEnvelopes = RecentlyVerified<Data, CheckedEnvelope>()

    struct CheckedEnvelope: Sendable {
        let envelope: WireEnvelope
        let alive: AliveMessage?
        let stateInfo: StateInfo?
    }

    init(identities: ValidatedIdentityCache, ordererOrganizations: Set<String>, refused: Counter, repeatedBlocks: Counter) {
        self.identities = identities
        self.ordererOrganizations = ordererOrganizations
        self.refused = refused
        self.repeatedBlocks = repeatedBlocks
    }

    /// The alive message of a signed envelope, if a peer (or member) signed it as itself, and its
    /// secret part too when there is one.
    func alive(_ envelope: WireEnvelope) async -> AliveMessage? {
        if let checked = recentEnvelopes.value(for: envelope.signature), let message = checked.alive, checked.envelope.payload == envelope.payload {
            if !envelope.hasSecretEnvelope { return message.withoutInternalEndpoint }
            if checked.envelope.secretEnvelope == envelope.secretEnvelope { return message }
        }
        guard let payload = try? WireAliveMessage(serializedBytes: envelope.payload),
              let signer = try? await identities.verify(signature: envelope.signature, over: envelope.payload, by: payload.identity),
              signer.pkiID == PKIID(Array(payload.pkiID)), signer.role == .peer || signer.role == .member else { return refuse() }
        var internalEndpoint: Endpoint?
        if envelope.hasSecretEnvelope {
            guard let secret = try? WireSecret(serializedBytes: envelope.secretEnvelope.payload),
                  let endpoint = Endpoint(parsing: secret.internalEndpoint) else { return refuse() }
            // An internal endpoint equal to the signed external one adds nothing to trust, so its
            // own signature is checked only when it differs: a peer of `up` names one endpoint
            // twice, and this was a second signature check for every own-org alive message.
            if !Self.sameEndpoint(endpoint, as: payload) {
                guard (try? await identities.verify(signature: envelope.secretEnvelope.signature, over: envelope.secretEnvelope.payload,
                                                    by: payload.identity)) != nil else { return refuse() }
            }
            internalEndpoint = endpoint
        }
        guard let bytes = try? envelope.serializedBytes() as [UInt8] else { return refuse() }
        let message = GossipWire.alive(payload, mspID: signer.mspID, internalEndpoint: internalEndpoint, signed: SignedForm(bytes))
        recentEnvelopes.insert(CheckedEnvelope(envelope: envelope, alive: message, stateInfo: nil), for: envelope.signature)
        return message
    }

    /// Whether `endpoint` is the external endpoint `payload` carries (and was signed with).
    static func sameEndpoint(_ endpoint: Endpoint, as payload: WireAliveMessage) -> Bool {
        payload.hasExternalEndpoint && payload.externalEndpoint.host == endpoint.host && Int(payload.externalEndpoint.port) == endpoint.port
    }

    /// The state info of a signed envelope, if its creator signed it.
    func stateInfo(_ envelope: WireEnvelope) async -> StateInfo? {
        if let checked = recentEnvelopes.value(for: envelope.signature), let info = checked.stateInfo, checked.envelope == envelope {
            return info
        }
        guard let payload = try? WireStateInfo(serializedBytes: envelope.payload),
              let signer = try? await identities.verify(signature: envelope.signature, over: envelope.payload, by: payload.identity),
              signer.pkiID == PKIID(Array(payload.pkiID)),
              let bytes = try? envelope.serializedBytes() as [UInt8] else { return refuse() }
        let info = GossipWire.stateInfo(payload, signed: SignedForm(bytes))
        recentEnvelopes.insert(CheckedEnvelope(envelope: envelope, alive: nil, stateInfo: info), for: envelope.signature)
        return info
    }

    /// The blocks of `payloads` that pass `block(_:)`, in order; a batch (state transfer, pull)
    /// is checked on all cores at once, as it is mostly signature checks.
    func blocks(_ payloads: [WirePayload]) async -> [GossipBlock] {
        if payloads.count == 1 { return await block(payloads[0]).map { [$0] } ?? [] }
        return await withTaskGroup(of: (Int, GossipBlock?).self) { group in
            let spreading = NodeExecutor.spreading
            for (index, payload) in payloads.enumerated() { group.addTask(executorPreference: spreading) { (index, await self.block(payload)) } }
            var blocks = [GossipBlock?](repeating: nil, count: payloads.count)
            for await (index, block) in group { blocks[index] = block }
            return blocks.compactMap { $0 }
        }
    }

    /// The block of a payload, parsed once, if an orderer signed it, its data matches its header
    /// and its number is the one announced; it carries its `VerifiedBlock`.
    func block(_ payload: WirePayload) async -> GossipBlock? {
        let bytes = [UInt8](payload.data)
        guard let block = try? Common_Block(serializedBytes: bytes), block.header.number == payload.seqNum,
              let verified = await verify(block, serialized: bytes) else { return refuse() }
        return GossipBlock(number: payload.seqNum, data: bytes, verified: verified)
    }

    func refuse<T>() -> T? {
        refused.increment()
        return nil
    }
}
