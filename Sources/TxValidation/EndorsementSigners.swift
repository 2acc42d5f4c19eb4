import FabricPolicy
import Foundation

/// The endorsements of one transaction that count toward its policies, as Fabric's committer
/// counts them: only those whose signature verified, whose endorser belongs to one of the
/// channel's orgs, and each identity once (its first endorsement).
///
/// Guarantees: `counted` keeps the endorsements' order; every endorsement left out is named in
/// `ignored` with why, so a policy failure can say which endorsements did not count. Which
/// roles count is the policy's business (Fabric's default org `Endorsement` policies name
/// `peer`, so a client's endorsement satisfies none of them; `member` would accept it).
struct EndorsementSigners: Sendable {
    let counted: [PolicySigner]
    let ignored: [String]

    init(_ endorsers: [SignatureCheck], organizations: Set<String>) {
        var counted: [PolicySigner] = []
        var ignored: [String] = []
        var seen: [Data: Int] = [:]
        for (index, check) in endorsers.enumerated() {
            switch check {
            case .notChecked:
                ignored.append("endorsement \(index) was not verified")
            case .rejected(let why):
                ignored.append("endorsement \(index) did not verify (\(why))")
            case .verified(let signer):
                guard organizations.contains(signer.mspID) else {
                    ignored.append("endorsement \(index) is by \(signer.mspID), not an org of the channel")
                    continue
                }
                if let identity = signer.identity {
                    if let first = seen[identity] {
                        ignored.append("endorsement \(index) is by the same identity as endorsement \(first)")
                        continue
                    }
                    seen[identity] = index
                }
                counted.append(signer)
            }
        }
        self.counted = counted
        self.ignored = ignored
    }

    /// These signers with the endorsements by anything but a peer left out too.
    func peersOnly() -> EndorsementSigners {
        let others = counted.filter { !$0.roles.contains(.peer) }
        guard !others.isEmpty else { return self }
        return EndorsementSigners(counted: counted.filter { $0.roles.contains(.peer) },
                                  ignored: ignored + others.map { "\($0.label) is not a peer" })
    }

    private init(counted: [PolicySigner], ignored: [String]) {
        self.counted = counted
        self.ignored = ignored
    }

    /// Evaluates `policy` over the counted endorsers (and `also`, signers that count beside
    /// them, such as a lifecycle transaction's creator).
    func evaluate(_ policy: EndorsementPolicy, with evaluator: PolicyEvaluator, also: [PolicySigner] = []) -> PolicyEvaluation {
        let signers = also + counted
        switch policy {
        case .signature(let envelope): return PolicyEvaluator.evaluate(envelope, signers: signers)
        case .channelPolicy(let path): return evaluator.evaluate(path, signers: signers)
        }
    }

    /// `explanation` followed by the endorsements that did not count, if any.
    func explain(_ explanation: String) -> String {
        ignored.isEmpty ? explanation : explanation + "; not counted: " + ignored.joined(separator: ", ")
    }
}
