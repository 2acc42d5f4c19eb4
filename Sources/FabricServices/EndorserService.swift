import FabricWire
import GRPCCore

/// What ``EndorserService`` needs from a peer: its endorser, the same one its Gateway asks.
public protocol ProposalEndorser: Sendable {
    /// Checks, simulates and signs `proposal` as Fabric's endorser does; a refusal is a
    /// `ProposalResponse` whose response has status 500 and the reason (never a thrown error).
    func processProposal(_ proposal: Protos_SignedProposal) async -> Protos_ProposalResponse
}

/// Fabric's `protos.Endorser/ProcessProposal` on a peer: what Fabric's `peer` CLI and the SDKs
/// before the Gateway (fabric-sdk-node 2.2, fabric-sdk-java) call to collect endorsements
/// themselves.
///
/// Guarantees: as Fabric's endorser, every answer is a gRPC success carrying a
/// `ProposalResponse`; a proposal that is refused or a chaincode error shows in its
/// `response.status` (500 and the reason, or the chaincode's own status and message), not as a
/// gRPC error.
public struct EndorserService: Protos_Endorser.SimpleServiceProtocol {
    private let endorser: any ProposalEndorser

    public init(_ endorser: any ProposalEndorser) {
        self.endorser = endorser
    }

    public func processProposal(request: Protos_SignedProposal, context: ServerContext) async throws -> Protos_ProposalResponse {
        await endorser.processProposal(request)
    }
}
