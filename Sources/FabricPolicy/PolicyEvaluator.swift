import FabricWire
import Foundation
import SwiftProtobuf

/// Evaluates a channel's policies as Fabric does, without I/O or clocks.
///
/// Guarantees, following Fabric's policy manager, ImplicitMeta and cauthdsl semantics:
/// - A path starting with `/` is absolute and must begin `/Channel/`; any other is relative to
///   `/Channel` (`Writers`, `Application/Writers`). A path naming no policy is not satisfied.
/// - ImplicitMeta `ANY`/`ALL`/`MAJORITY <name>` evaluates policy `<name>` of every direct
///   sub-group (a sub-group without it counts as not satisfied) and needs 1, all, or more than
///   half of them; a group with no sub-groups satisfies any of the three, as in Fabric.
/// - A signature policy is evaluated over the signers with duplicates (same `identity`) removed;
///   a signer satisfies at most one principal in the whole evaluation: a gate tries its parts in
///   order, each on the signers still free, and keeps the signers a satisfied part used. So it is
///   greedy, as Fabric's: order principals from most to least specific.
/// - Principals other than MSP roles (OU, identity, …) are never satisfied here.
/// - A satisfied evaluation is answered from the policies decoded once at init, with a short
///   explanation (`<path> satisfied`); only a policy that is not satisfied is evaluated again to
///   explain why in full (what every caller shows).
public struct PolicyEvaluator: Sendable {
    public let root: ConfigPolicyGroup
    private let decoded: DecodedPolicyTree

    public init(root: ConfigPolicyGroup) {
        self.root = root
        decoded = DecodedPolicyTree(root)
    }

    public init(view: ChannelConfigView) {
        self.init(root: view.policyTree)
    }

    /// Evaluates the policy at `path` against `signers`.
    public func evaluate(_ path: String, signers: [PolicySigner]) -> PolicyEvaluation {
        let components: [String], name: String
        switch Self.location(of: path) {
        case .found(let groups, let policy): (components, name) = (groups, policy)
        case .invalid(let why): return PolicyEvaluation(satisfied: false, explanation: why)
        }
        let signers = Self.deduplicated(signers)
        if let group = decoded.group(at: components), let policy = group.policies[name], group.isSatisfied(policy, signers: signers) {
            return PolicyEvaluation(satisfied: true, explanation: "\(path) satisfied")
        }
        let groupPath = (["/Channel"] + components).joined(separator: "/")
        guard let group = root.group(at: components), let policy = group.policies[name] else {
            return PolicyEvaluation(satisfied: false, explanation: "no policy at \(groupPath)/\(name)")
        }
        return evaluate(policy, named: name, in: group, groupPath: groupPath, signers: signers)
    }

    /// `evaluate(path, signers:).satisfied` without the explanation, which for a policy not
    /// satisfied costs a second, slower evaluation (decoding and wording every part): for
    /// callers that only choose, such as a gateway trying which orgs' endorsements would do.
    public func isSatisfied(_ path: String, signers: [PolicySigner]) -> Bool {
        guard case .found(let components, let name) = Self.location(of: path),
              let group = decoded.group(at: components), let policy = group.policies[name] else { return false }
        return group.isSatisfied(policy, signers: Self.deduplicated(signers))
    }

    /// Where a policy path points: its groups under `/Channel` and the policy's name.
    enum Location {
        case found(groups: [String], name: String)
        case invalid(String)
    }

    static func location(of path: String) -> Location {
        var components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if path.hasPrefix("/") {
            guard components.first == "Channel" else { return .invalid("no policy at \(path): absolute paths start with /Channel/") }
            components.removeFirst()
        }
        guard let name = components.popLast() else { return .invalid("'\(path)' names no policy") }
        return .found(groups: components, name: name)
    }

    /// Evaluates a signature policy on its own (a chaincode's endorsement policy, say).
    public static func evaluate(_ policy: Common_SignaturePolicyEnvelope, signers: [PolicySigner]) -> PolicyEvaluation {
        let signers = deduplicated(signers)
        let satisfied = isSatisfied(policy, deduplicated: signers)
        if satisfied { return PolicyEvaluation(satisfied: true, explanation: "satisfied by \(signers.count) signer(s)") }
        let text = SignaturePolicyText.text(of: policy)
        let by = signers.isEmpty ? "no signer" : signers.map(\.label).joined(separator: ", ")
        return PolicyEvaluation(satisfied: satisfied, explanation: "\(text) \(satisfied ? "satisfied" : "not satisfied") by \(by)")
    }

    /// `evaluate(policy, signers:).satisfied` without the explanation.
    public static func isSatisfied(_ policy: Common_SignaturePolicyEnvelope, signers: [PolicySigner]) -> Bool {
        isSatisfied(policy, deduplicated: deduplicated(signers))
    }

    private static func isSatisfied(_ policy: Common_SignaturePolicyEnvelope, deduplicated signers: [PolicySigner]) -> Bool {
        var used = [Bool](repeating: false, count: signers.count)
        return evaluate(policy.rule, identities: policy.identities, signers: signers, used: &used)
    }

    func evaluate(_ policy: Common_Policy, named name: String, in group: ConfigPolicyGroup, groupPath: String,
                  signers: [PolicySigner]) -> PolicyEvaluation {
        switch Common_Policy.PolicyType(rawValue: Int(policy.type)) {
        case .signature:
            guard let envelope = try? Common_SignaturePolicyEnvelope(serializedBytes: policy.value) else {
                return PolicyEvaluation(satisfied: false, explanation: "\(groupPath)/\(name) does not decode as a SignaturePolicyEnvelope")
            }
            let result = Self.evaluate(envelope, signers: signers)
            return PolicyEvaluation(satisfied: result.satisfied, explanation: "\(groupPath)/\(name): \(result.explanation)")
        case .implicitMeta:
            guard let meta = try? Common_ImplicitMetaPolicy(serializedBytes: policy.value) else {
                return PolicyEvaluation(satisfied: false, explanation: "\(groupPath)/\(name) does not decode as an ImplicitMetaPolicy")
            }
            return evaluate(meta, in: group, groupPath: groupPath, signers: signers)
        default:
            return PolicyEvaluation(satisfied: false, explanation: "\(groupPath)/\(name) has policy type \(policy.type), which fabnet does not evaluate")
        }
    }

    func evaluate(_ meta: Common_ImplicitMetaPolicy, in group: ConfigPolicyGroup, groupPath: String,
                  signers: [PolicySigner]) -> PolicyEvaluation {
        let children = group.groups.keys.sorted()
        let needed: Int
        switch meta.rule {
        case .any: needed = 1
        case .all: needed = children.count
        case .majority: needed = children.count / 2 + 1
        case .UNRECOGNIZED(let value):
            return PolicyEvaluation(satisfied: false, explanation: "ImplicitMeta rule \(value) at \(groupPath) is unknown")
        }
        let threshold = children.isEmpty ? 0 : needed
        var satisfiedBy: [String] = []
        var failures: [String] = []
        for child in children {
            let childGroup = group.groups[child]!
            let childPath = "\(groupPath)/\(child)"
            guard let policy = childGroup.policies[meta.subPolicy] else {
                failures.append("no policy at \(childPath)/\(meta.subPolicy)")
                continue
            }
            let result = evaluate(policy, named: meta.subPolicy, in: childGroup, groupPath: childPath, signers: signers)
            if result.satisfied { satisfiedBy.append(child) } else { failures.append(result.explanation) }
        }
        let satisfied = satisfiedBy.count >= threshold
        let rule = ImplicitMetaRule.text(of: meta)
        var explanation = "\(rule) at \(groupPath): \(satisfiedBy.count) of \(children.count) satisfied"
        if !satisfiedBy.isEmpty { explanation += " (\(satisfiedBy.joined(separator: ", ")))" }
        explanation += ", \(threshold) needed"
        if !satisfied, !failures.isEmpty { explanation += "; " + failures.joined(separator: "; ") }
        return PolicyEvaluation(satisfied: satisfied, explanation: explanation)
    }

    /// cauthdsl's rule over a policy's own principals (see ``DecodedPolicyTree/holds(_:principals:signers:used:)``).
    static func evaluate(_ rule: Common_SignaturePolicy, identities: [Common_MSPPrincipal], signers: [PolicySigner],
                         used: inout [Bool]) -> Bool {
        DecodedPolicyTree.holds(rule, principals: DecodedPolicyTree.principals(of: identities), signers: signers, used: &used)
    }

    static func policyRole(_ role: Common_MSPRole.MSPRoleType) -> PolicyRole? {
        switch role {
        case .member: .member
        case .admin: .admin
        case .client: .client
        case .peer: .peer
        case .orderer: .orderer
        case .UNRECOGNIZED: nil
        }
    }

    /// Signers in order, a later one with the same `identity` as an earlier one dropped.
    static func deduplicated(_ signers: [PolicySigner]) -> [PolicySigner] {
        var seen = Set<Data>()
        return signers.filter { signer in
            guard let identity = signer.identity else { return true }
            return seen.insert(identity).inserted
        }
    }
}
