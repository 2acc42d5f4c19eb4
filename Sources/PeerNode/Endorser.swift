import FabnetClient
import FabnetCrypto
import FabnetModel
import FabnetWire
import FabricPolicy
import FabricServices
import FabricWire
import Foundation
import ChaincodeRuntime
import Ledger

/// A peer's endorser: checks a client's signed proposal as Fabric's endorser does, runs the
/// chaincode against a snapshot of the committed state, and signs the result.
///
/// Guarantees: a proposal runs only when it unpacks (`UnpackedProposal`), names a channel this
/// peer joined, its creator's signature verifies, the creator satisfies the channel's
/// `/Channel/Application/Writers`, its tx id is not committed yet, and its chaincode is the
/// built-in contract or defined on the channel; every refusal is a `ProposalResponse` whose
/// response has status 500 and Fabric's message. A chaincode response of status 400 or more is
/// returned unendorsed, as Fabric does. The signed payload is deterministic for a given proposal
/// and committed state, so peers at one height endorse identical bytes. Asked with a
/// `minimumHeight` (another peer's gateway passes its own height), the simulation reads a state
/// of at least that many blocks: the endorser waits up to `catchUpLimit` for its ledger to reach
/// it, and refuses with both heights when it does not.
extension PeerService: ProposalEndorser {
    /// How long a chaincode call may take.
    static let chaincodeTimeout: Duration = .seconds(30)
    /// How long an endorser behind the asking gateway waits to catch up before refusing.
    static let catchUpLimit: Duration = .seconds(3)

    nonisolated func endorse(proposalBytes: Data, minimumHeight: UInt64 = 0) async -> Protos_ProposalResponse {
        guard let signed = try? Protos_SignedProposal(serializedBytes: proposalBytes) else {
            return Self.refusal("error unmarshalling SignedProposal: the request is not one")
        }
        return await endorse(signed, minimumHeight: minimumHeight)
    }

    func endorse(_ signed: Protos_SignedProposal, minimumHeight: UInt64 = 0,
                 catchUpLimit: Duration = PeerService.catchUpLimit) async -> Protos_ProposalResponse {
        let response = await runEndorsement(signed, minimumHeight: minimumHeight, catchUpLimit: catchUpLimit)
        if response.response.status >= 400 {
            loggers.peer.info("endorsement not given: \(response.response.status) \(response.response.message)")
        }
        return response
    }

    private func runEndorsement(_ signed: Protos_SignedProposal, minimumHeight: UInt64,
                                catchUpLimit: Duration) async -> Protos_ProposalResponse {
        let proposal: UnpackedProposal
        do {
            proposal = try UnpackedProposal.unpack(signed)
        } catch {
            return Self.refusal(error.message)
        }
        let channel = proposal.channelID
        guard ledgers[channel] != nil, let policies = channelPolicies[channel] else {
            return Self.refusal("channel '\(channel)' not found on this peer")
        }
        let signer: VerifiedSigner
        do {
            let envelope = Common_Envelope.with { $0.payload = signed.proposalBytes; $0.signature = signed.signature }
            signer = try await identities.verifyCreator(of: envelope, creator: proposal.creator)
        } catch {
            return Self.refusal("access denied: the proposal's creator or its signature is not valid: \(error)")
        }
        let writers = policies.evaluate("/Channel/Application/Writers", signers: [PolicySigner(signer)])
        guard writers.satisfied else {
            return Self.refusal("access denied: channel [\(channel)] creator org [\(signer.mspID)]: \(writers.explanation)")
        }
        if ledgerHeight(channel) < minimumHeight, await !waitForHeight(minimumHeight, channel: channel, limit: catchUpLimit) {
            return Self.refusal("this peer's ledger of channel \(channel) is at height \(ledgerHeight(channel)), behind the gateway's "
                                + "\(minimumHeight) after waiting \(catchUpLimit); the gateway asks peers at its own height: retry")
        }
        // Read after the signature check and the wait (the ledger may have moved meanwhile).
        guard let ledger = ledgers[channel] else { return Self.refusal("channel '\(channel)' not found on this peer") }
        guard !ledger.transactions.contains(proposal.txID) else {
            return Self.refusal("duplicate transaction found [\(proposal.txID)]. Creator [\(signer.mspID)]")
        }
        let snapshot = WorldStateSnapshot(state: ledger.state)
        let name = proposal.chaincodeName
        let execution: ChaincodeInvocation
        let version: String
        do {
            if name == TransactionBuilder.namespace {
                version = BuiltInContract.version
                execution = try BuiltInContract.invoke(proposal, state: snapshot)
            } else if let definition = definitions[channel]?[name] {
                version = definition.version
                let client = try chaincodeClient(channel: channel, name: name)
                // A client just started (or reconnecting) gets a moment to register; one whose
                // server is known unreachable fails at once with why.
                switch client.connectionState {
                case .ready: break
                case .unavailable(let error): throw error
                default: try await client.waitUntilReady(timeout: .seconds(5))
                }
                execution = try await client.invoke(channel: channel, txID: proposal.txID, signedProposal: signed, input: proposal.input,
                                                    state: snapshot, timeout: Self.chaincodeTimeout)
            } else {
                return Self.refusal("make sure the chaincode \(name) has been successfully defined on channel \(channel) and try again: chaincode \(name) not found")
            }
        } catch {
            return Self.refusal("error in simulation: \(error)")
        }
        if execution.response.status >= 400 {
            // A chaincode error: the response and its payload, unendorsed, so a gateway tells it
            // from a failure of the peer itself (status 500 without a payload) and does not retry.
            var response = Protos_ProposalResponse()
            response.version = 1
            response.response = execution.response
            var chaincodeID = proposal.chaincodeID
            chaincodeID.version = version
            response.payload = (try? EndorsedTransaction.responsePayload(proposal: proposal, results: Data(), events: Data(),
                                                                         response: execution.response, chaincodeID: chaincodeID)) ?? Data()
            return response
        }
        do {
            var chaincodeID = proposal.chaincodeID
            chaincodeID.version = version
            let events: Data = try execution.events.map { try $0.serializedBytes() } ?? Data()
            let payload = try EndorsedTransaction.responsePayload(proposal: proposal, results: try execution.readWriteSet.serializedBytes(),
                                                                 events: events, response: execution.response, chaincodeID: chaincodeID)
            let signer = credentials.signer
            return try EndorsedTransaction.proposalResponse(payload: payload, response: execution.response,
                                                            endorser: try signer.serialized.serializedBytes()) { try signer.sign($0) }
        } catch {
            return Self.refusal("cannot sign the endorsement: \(error)")
        }
    }

    /// `protos.Endorser/ProcessProposal` (a client collecting endorsements itself): this
    /// peer's own state, whatever its height.
    public func processProposal(_ proposal: Protos_SignedProposal) async -> Protos_ProposalResponse {
        await endorse(proposal)
    }

    /// A refusal as Fabric's endorser returns one: status 500 and the reason.
    static func refusal(_ message: String) -> Protos_ProposalResponse {
        var response = Protos_ProposalResponse()
        response.response.status = 500
        response.response.message = message
        return response
    }
}

/// A copy of a channel's world state as a chaincode simulation reads it (`CommittedState`).
struct WorldStateSnapshot: CommittedState {
    let state: WorldState

    func value(namespace: String, key: String) -> (value: Data, version: Kvrwset_Version)? {
        state[namespace, key].map { ($0.value, Self.version($0.version)) }
    }

    func range(namespace: String, start: String, end: String) -> [(key: String, value: Data, version: Kvrwset_Version)] {
        state.range(namespace, from: start, to: end).map { ($0.key, $0.value.value, Self.version($0.value.version)) }
    }

    static func version(_ version: Version) -> Kvrwset_Version {
        Kvrwset_Version.with { $0.blockNum = version.block; $0.txNum = version.transaction }
    }
}

