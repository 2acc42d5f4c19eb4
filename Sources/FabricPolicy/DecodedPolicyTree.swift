import FabricWire
import Foundation

/// A channel's policy tree with every policy decoded once (signature envelopes with their
/// principals, ImplicitMeta rules), for ``PolicyEvaluator``'s fast yes/no answer: committing
/// peers evaluate policies for every transaction, and decoding the same bytes each time showed
/// in profiles.
///
/// Guarantees: answers exactly as ``PolicyEvaluator``'s full evaluation (same dedup, the same
/// greedy one-signer-one-principal rule, a missing or undecodable policy is not satisfied), but
/// builds no explanation.
struct DecodedPolicyTree: Sendable {
    /// One policy, decoded.
    enum Policy: Sendable {
        case signature(Common_SignaturePolicy, principals: [Principal?])
        case implicitMeta(subPolicy: String, rule: Common_ImplicitMetaPolicy.Rule)
        /// Undecodable, or a type fabnet does not evaluate: never satisfied.
        case never
    }

    /// An MSP role principal; nil in `principals` for any other kind (never satisfied).
    struct Principal: Sendable {
        let mspID: String
        let role: PolicyRole
    }

    let policies: [String: Policy]
    let groups: [String: DecodedPolicyTree]
    /// The sub-group names in order (ImplicitMeta counts them).
    let groupNames: [String]

    init(_ group: ConfigPolicyGroup) {
        policies = group.policies.mapValues(Self.decode)
        groups = group.groups.mapValues(DecodedPolicyTree.init)
        groupNames = group.groups.keys.sorted()
    }

    static func decode(_ policy: Common_Policy) -> Policy {
        switch Common_Policy.PolicyType(rawValue: Int(policy.type)) {
        case .signature:
            guard let envelope = try? Common_SignaturePolicyEnvelope(serializedBytes: policy.value) else { return .never }
            return .signature(envelope.rule, principals: principals(of: envelope.identities))
        case .implicitMeta:
            guard let meta = try? Common_ImplicitMetaPolicy(serializedBytes: policy.value) else { return .never }
            return .implicitMeta(subPolicy: meta.subPolicy, rule: meta.rule)
        default:
            return .never
        }
    }

    static func principals(of identities: [Common_MSPPrincipal]) -> [Principal?] {
        identities.map { principal in
            guard principal.principalClassification == .role,
                  let role = try? Common_MSPRole(serializedBytes: principal.principal),
                  let wanted = PolicyEvaluator.policyRole(role.role) else { return nil }
            return Principal(mspID: role.mspIdentifier, role: wanted)
        }
    }

    func group(at components: some Sequence<String>) -> DecodedPolicyTree? {
        var group = self
        for name in components {
            guard let next = group.groups[name] else { return nil }
            group = next
        }
        return group
    }

    /// Whether `policy` of this group holds for `signers` (already deduplicated).
    func isSatisfied(_ policy: Policy, signers: [PolicySigner]) -> Bool {
        switch policy {
        case .never:
            return false
        case .signature(let rule, let principals):
            var used = [Bool](repeating: false, count: signers.count)
            return Self.holds(rule, principals: principals, signers: signers, used: &used)
        case .implicitMeta(let subPolicy, let rule):
            let needed: Int
            switch rule {
            case .any: needed = 1
            case .all: needed = groupNames.count
            case .majority: needed = groupNames.count / 2 + 1
            case .UNRECOGNIZED: return false
            }
            if groupNames.isEmpty { return true }
            var satisfied = 0
            for name in groupNames {
                let child = groups[name]!
                if let policy = child.policies[subPolicy], child.isSatisfied(policy, signers: signers) {
                    satisfied += 1
                    if satisfied >= needed { return true }
                }
            }
            return false
        }
    }

    /// cauthdsl's rule: a signed-by consumes the first free signer that satisfies its principal;
    /// a gate runs each part on a copy of the free set and keeps the copy when the part holds.
    static func holds(_ rule: Common_SignaturePolicy, principals: [Principal?], signers: [PolicySigner], used: inout [Bool]) -> Bool {
        switch rule.type {
        case .signedBy(let index):
            guard index >= 0, Int(index) < principals.count, let principal = principals[Int(index)] else { return false }
            for (position, signer) in signers.enumerated() where !used[position] {
                if signer.satisfies(mspID: principal.mspID, role: principal.role) {
                    used[position] = true
                    return true
                }
            }
            return false
        case .nOutOf(let gate):
            var verified: Int32 = 0
            for part in gate.rules {
                var trial = used
                if holds(part, principals: principals, signers: signers, used: &trial) {
                    verified += 1
                    used = trial
                }
            }
            return verified >= gate.n
        case nil:
            return false
        }
    }
}
