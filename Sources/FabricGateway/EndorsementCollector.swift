import FabricWire
import Foundation

/// Gathers the endorsements of one proposal along an ``EndorsementPlan``, as a pure state
/// machine: ``next()`` says whom to ask (a round, asked concurrently) or how it ended;
/// ``record(_:_:)`` takes each answer of the round, in the order the round listed them.
///
/// Guarantees, as Fabric's gateway (its `plan`: `endorsers`, `processEndorsement`,
/// `nextPeerInGroup`):
/// - Each round asks, for the first layout that can still be completed, the next untried peers
///   of each org still short of endorsements; a peer is asked at most once. A peer that failed
///   (any failure, chaincode errors included, as in Fabric) is replaced by the next one of its
///   org in the following round; a layout whose org ran out of peers is skipped.
/// - Every endorsement's `ProposalResponsePayload` must be byte-identical to the first one
///   recorded; one that differs counts as that peer's failure, with detail
///   `ProposalResponsePayloads do not match`.
/// - Ends with `.endorsed` (the payload and, for the first completed layout, its endorsements in
///   layout order, one per endorser identity) or `.failed`: ABORTED, `failed to endorse
///   transaction, see attached details for more info` when nothing was endorsed, else `failed to
///   collect enough transaction endorsements, see attached details for more info`, with one
///   `ErrorDetail` per failed peer in the order recorded.
public struct EndorsementCollector: Sendable {
    public enum Step: Sendable, Equatable {
        case ask([EndorserCandidate])
        case endorsed(responsePayload: Data, endorsements: [Protos_Endorsement])
        case failed(GatewayFailure)
    }

    private let layouts: [EndorsementPlan.Layout]
    private var untried: [String: [EndorserCandidate]]
    private var collected: [String: [Protos_Endorsement]] = [:]
    private var responsePayload: Data?
    public private(set) var details: [Gateway_ErrorDetail] = []

    public init(_ plan: EndorsementPlan) {
        layouts = plan.layouts
        untried = plan.endorsers
    }

    public mutating func next() -> Step {
        if let payload = responsePayload, let done = layouts.first(where: { isComplete($0) }) {
            var seen = Set<Data>()
            let endorsements = done.required.flatMap { collected[$0.mspID, default: []].prefix($0.count) }
                .filter { seen.insert($0.endorser).inserted }
            return .endorsed(responsePayload: payload, endorsements: endorsements)
        }
        guard let layout = layouts.first(where: { isPossible($0) }) else {
            let nothing = collected.values.allSatisfy(\.isEmpty)
            return .failed(GatewayFailure(.aborted, nothing
                ? "failed to endorse transaction, see attached details for more info"
                : "failed to collect enough transaction endorsements, see attached details for more info",
                details: details))
        }
        var round: [EndorserCandidate] = []
        for requirement in layout.required {
            let missing = requirement.count - collected[requirement.mspID, default: []].count
            guard missing > 0 else { continue }
            round += untried[requirement.mspID, default: []].prefix(missing)
            untried[requirement.mspID, default: []].removeFirst(missing)
        }
        return .ask(round)
    }

    public mutating func record(_ endorser: EndorserCandidate, _ answer: EndorserAnswer) {
        switch answer {
        case .failed(_, let message, _):
            details.append(GatewayFailure.detail(address: endorser.address, mspID: endorser.mspID, message))
        case .endorsed(let response):
            if let reference = responsePayload, reference != response.payload {
                details.append(GatewayFailure.detail(address: endorser.address, mspID: endorser.mspID,
                                                     "ProposalResponsePayloads do not match"))
                return
            }
            responsePayload = response.payload
            collected[endorser.mspID, default: []].append(response.endorsement)
        }
    }

    private func isComplete(_ layout: EndorsementPlan.Layout) -> Bool {
        layout.required.allSatisfy { collected[$0.mspID, default: []].count >= $0.count }
    }

    private func isPossible(_ layout: EndorsementPlan.Layout) -> Bool {
        layout.required.allSatisfy {
            collected[$0.mspID, default: []].count + untried[$0.mspID, default: []].count >= $0.count
        }
    }
}
