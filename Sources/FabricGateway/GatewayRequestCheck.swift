import FabricWire
import Foundation

/// The checks the gateway makes on a request before it asks anyone (pure). Each failure is
/// INVALID_ARGUMENT with Fabric's gateway message where Fabric has one (`Evaluate`, `Endorse`,
/// `Submit`, `CommitStatus` in its gateway package), and fabnet's own otherwise.
///
/// Guarantees:
/// - ``proposal(_:call:transactionID:channelID:)`` answers the proposal unpacked as Fabric's
///   endorser unpacks it (``UnpackedProposal``); a non-empty `transaction_id` or `channel_id` in
///   the request must equal the proposal's (Fabric ignores them; fabnet refuses a request that
///   says one thing outside and another inside, so logs and CommitStatus name the right one).
/// - ``submission(_:)`` answers the signed envelope opened, with the same rule for the request's
///   ids against the envelope's channel header.
/// - ``commitStatus(_:)`` answers the decoded inner request, which names an identity, a channel
///   and a transaction. Signature and ACL are checked by the service afterwards.
public enum GatewayRequestCheck {
    public enum Call: Sendable { case evaluate, endorse }

    public static func proposal(_ signed: Protos_SignedProposal?, call: Call, transactionID: String,
                                channelID: String) throws(GatewayFailure) -> UnpackedProposal {
        guard let signed, !signed.proposalBytes.isEmpty else {
            switch call {
            case .evaluate: throw GatewayFailure(.invalidArgument, "failed to unpack transaction proposal: a signed proposal is required")
            case .endorse: throw GatewayFailure(.invalidArgument, "the proposed transaction must contain a signed proposal")
            }
        }
        let proposal: UnpackedProposal
        do throws(UnpackedProposal.Problem) {
            proposal = try UnpackedProposal.unpack(signed)
        } catch {
            throw GatewayFailure(.invalidArgument, "failed to unpack transaction proposal: \(error.message)")
        }
        guard !proposal.channelID.isEmpty else {
            throw GatewayFailure(.invalidArgument, "failed to unpack transaction proposal: no channel id provided")
        }
        try matches(transactionID: transactionID, channelID: channelID, txID: proposal.txID,
                    channel: proposal.channelID, what: "proposal")
        return proposal
    }

    public static func submission(_ request: Gateway_SubmitRequest) throws(GatewayFailure) -> EnvelopeView {
        guard request.hasPreparedTransaction else {
            throw GatewayFailure(.invalidArgument, "a prepared transaction is required")
        }
        guard !request.preparedTransaction.signature.isEmpty else {
            throw GatewayFailure(.invalidArgument, "prepared transaction must be signed")
        }
        let view: EnvelopeView
        do throws(EnvelopeView.Problem) {
            view = try EnvelopeView.open(request.preparedTransaction)
        } catch {
            throw GatewayFailure(.invalidArgument, "the prepared transaction does not open (\(error.reason)); submit the envelope Endorse returned, signed over its payload")
        }
        guard !view.channelID.isEmpty else {
            throw GatewayFailure(.invalidArgument, "the prepared transaction names no channel")
        }
        try matches(transactionID: request.transactionID, channelID: request.channelID, txID: view.txID,
                    channel: view.channelID, what: "prepared transaction")
        return view
    }

    public static func commitStatus(_ signed: Gateway_SignedCommitStatusRequest) throws(GatewayFailure) -> Gateway_CommitStatusRequest {
        guard !signed.request.isEmpty else {
            throw GatewayFailure(.invalidArgument, "a commit status request is required")
        }
        let request: Gateway_CommitStatusRequest
        do {
            request = try Gateway_CommitStatusRequest(serializedBytes: signed.request)
        } catch {
            throw GatewayFailure(.invalidArgument, "invalid status request: \(error)")
        }
        guard !request.identity.isEmpty else { throw GatewayFailure(.invalidArgument, "no identity provided") }
        guard !request.channelID.isEmpty else { throw GatewayFailure(.invalidArgument, "no channel ID provided") }
        guard !request.transactionID.isEmpty else { throw GatewayFailure(.invalidArgument, "transaction ID should not be empty") }
        return request
    }

    /// The decoded inner request of a `ChaincodeEvents` call: it names an identity, a channel
    /// and a chaincode.
    public static func chaincodeEvents(_ signed: Gateway_SignedChaincodeEventsRequest) throws(GatewayFailure) -> Gateway_ChaincodeEventsRequest {
        guard !signed.request.isEmpty else {
            throw GatewayFailure(.invalidArgument, "a chaincode events request is required")
        }
        let request: Gateway_ChaincodeEventsRequest
        do {
            request = try Gateway_ChaincodeEventsRequest(serializedBytes: signed.request)
        } catch {
            throw GatewayFailure(.invalidArgument, "invalid chaincode events request: \(error)")
        }
        guard !request.identity.isEmpty else { throw GatewayFailure(.invalidArgument, "no identity provided") }
        guard !request.channelID.isEmpty else { throw GatewayFailure(.invalidArgument, "no channel ID provided") }
        guard !request.chaincodeID.isEmpty else { throw GatewayFailure(.invalidArgument, "no chaincode ID provided") }
        return request
    }

    /// The first block a `ChaincodeEvents` call reads, as Fabric's gateway chooses it: the next
    /// block to commit when no position (or `next_commit`) is given, else the `specified` one;
    /// `oldest` and `newest` are refused.
    public static func firstBlock(of position: Orderer_SeekPosition?, height: UInt64) throws(GatewayFailure) -> UInt64 {
        switch position?.type {
        case nil, .nextCommit?: return height
        case .specified(let specified)?: return specified.number
        case .oldest?: throw GatewayFailure(.invalidArgument, "invalid start position type: oldest; use specified (a block number) or next_commit")
        case .newest?: throw GatewayFailure(.invalidArgument, "invalid start position type: newest; use specified (a block number) or next_commit")
        }
    }

    static func matches(transactionID: String, channelID: String, txID: String, channel: String,
                        what: String) throws(GatewayFailure) {
        if !transactionID.isEmpty, transactionID != txID {
            throw GatewayFailure(.invalidArgument, "the request's transaction_id \(transactionID) is not the \(what)'s tx id \(txID); send the \(what)'s own (or none)")
        }
        if !channelID.isEmpty, channelID != channel {
            throw GatewayFailure(.invalidArgument, "the request's channel_id '\(channelID)' is not the \(what)'s channel '\(channel)'; send the \(what)'s own (or none)")
        }
    }
}
