import FabricWire

/// Which peer evaluates a proposal, and what to do with each answer (pure).
///
/// Guarantees, as Fabric's gateway (`registry.evaluator` and `Evaluate`):
/// - The peers asked all belong to one org: the gateway's own when it is allowed (no
///   `targetOrganizations`, or among them) and has an eligible peer; otherwise the allowed org
///   whose best peer has the highest ledger (ties: the smaller MSP ID). Peers more than
///   `maximumLag` blocks behind the highest known height are not asked. None: FAILED_PRECONDITION.
/// - A proposal with transient data and no `targetOrganizations` goes to the gateway's own org
///   only (FAILED_PRECONDITION when it has no eligible peer), so private data stays in it.
/// - ``record(_:_:)``: an endorsement ends it; a retryable failure (unreachable peer, peer-made
///   500) moves on to the next peer of the org; any other failure ends it with that failure's
///   code and message `evaluate call to endorser returned error: <message>` (for a chaincode
///   error: code UNKNOWN, `... chaincode response 500, <chaincode message>`); no peer left ends it
///   with the last failure's code and `failed to evaluate transaction, see attached details for
///   more info`. Failures carry one `ErrorDetail` per peer tried.
public struct EvaluationPlan: Sendable {
    public enum Step: Sendable, Equatable {
        case ask(EndorserCandidate)
        case evaluated(Protos_ProposalResponse)
        case failed(GatewayFailure)
    }

    /// The peers that may be asked, in order; the first is asked first.
    public let endorsers: [EndorserCandidate]
    private var position = 0
    public private(set) var details: [Gateway_ErrorDetail] = []

    public init(endorsers: [EndorserCandidate]) {
        precondition(!endorsers.isEmpty, "an evaluation plan needs a peer")
        self.endorsers = endorsers
    }

    public static func make(candidates: [EndorserCandidate], localMSPID: String, targetOrganizations: [String] = [],
                            hasTransientData: Bool = false, maximumLag: UInt64 = 0, chaincode: String = "",
                            channelID: String = "") throws(GatewayFailure) -> EvaluationPlan {
        if hasTransientData && targetOrganizations.isEmpty {
            // Private data goes to the gateway's own org only, unless the client names others.
            do throws(GatewayFailure) {
                return try make(candidates: candidates, localMSPID: localMSPID, targetOrganizations: [localMSPID],
                                maximumLag: maximumLag, chaincode: chaincode, channelID: channelID)
            } catch {
                throw GatewayFailure(.failedPrecondition, "no endorsers found in the gateway's organization; retry specifying target organization(s) to protect transient data: \(error.message)")
            }
        }
        let groups = candidates.eligibleByOrganization(maximumLag: maximumLag)
            .filter { targetOrganizations.isEmpty || targetOrganizations.contains($0.key) }
        if let local = groups[localMSPID], !local.isEmpty {
            return EvaluationPlan(endorsers: local)
        }
        let best = groups.filter { !$0.value.isEmpty }.min { a, b in
            let (ha, hb) = (a.value[0].ledgerHeight, b.value[0].ledgerHeight)
            return ha != hb ? ha > hb : a.key < b.key
        }
        guard let best else {
            let orgs = targetOrganizations.isEmpty ? "" : " of org(s) \(targetOrganizations.joined(separator: ", "))"
            throw GatewayFailure(.failedPrecondition, "no peers\(orgs) available to evaluate chaincode \(chaincode) in channel \(channelID)")
        }
        return EvaluationPlan(endorsers: best.value)
    }

    /// The first peer to ask.
    public var first: Step { .ask(endorsers[0]) }

    /// Takes the answer of the peer last asked and says what comes next.
    public mutating func record(_ endorser: EndorserCandidate, _ answer: EndorserAnswer) -> Step {
        switch answer {
        case .endorsed(let response):
            return .evaluated(response)
        case .failed(let code, let message, let retry):
            details.append(GatewayFailure.detail(address: endorser.address, mspID: endorser.mspID, message))
            guard retry else {
                return .failed(GatewayFailure(code, "evaluate call to endorser returned error: \(message)", details: details))
            }
            position += 1
            guard position < endorsers.count else {
                return .failed(GatewayFailure(code, "failed to evaluate transaction, see attached details for more info", details: details))
            }
            return .ask(endorsers[position])
        }
    }
}
