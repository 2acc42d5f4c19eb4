import FabricWire
import GRPCCore

/// What one endorser's answer means to the gateway, read as Fabric's gateway reads a
/// `ProcessProposal` result (its `responseStatus`):
/// - no response (the peer could not be reached): UNAVAILABLE, worth asking another peer;
/// - a refusal before running (``GatewayRefusal``): FAILED_PRECONDITION, the client's fault;
/// - status 500 without a payload (made by the peer, not the chaincode): ABORTED, worth retrying;
/// - any other status outside 200–399: the chaincode's error, UNKNOWN, message
///   `chaincode response <status>, <message>`;
/// - otherwise an endorsement.
///
/// Guarantees: `classify` is pure and total; `retry` is true exactly for the two retryable kinds.
public enum EndorserAnswer: Sendable, Equatable {
    case endorsed(Protos_ProposalResponse)
    case failed(code: RPCError.Code, message: String, retry: Bool)

    public static func classify(_ result: Result<Protos_ProposalResponse, any Error>) -> EndorserAnswer {
        switch result {
        case .failure(let refusal as GatewayRefusal):
            return .failed(code: .failedPrecondition, message: refusal.message, retry: false)
        case .failure(let error):
            return .failed(code: .unavailable, message: String(describing: error), retry: true)
        case .success(let response):
            let status = response.response.status
            guard status < 200 || status >= 400 else { return .endorsed(response) }
            if response.payload.isEmpty && status == 500 {
                return .failed(code: .aborted, message: response.response.message, retry: true)
            }
            return .failed(code: .unknown, message: "chaincode response \(status), \(response.response.message)", retry: false)
        }
    }
}
