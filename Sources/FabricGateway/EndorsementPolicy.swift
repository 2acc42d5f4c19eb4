import FabricPolicy
import FabricWire
import Foundation

/// A chaincode's endorsement policy as Fabric's `ApplicationPolicy` holds it: a signature policy
/// of its own, or a reference to a channel policy (by default `/Channel/Application/Endorsement`).
///
/// Guarantees: `evaluate` answers as Fabric's validator would for endorsements by `signers`
/// (a reference is evaluated in the channel's tree; with no tree it is not satisfied), so the
/// gateway plans with the same rule the committing peers check.
public enum EndorsementPolicy: Sendable, Equatable {
    case signature(Common_SignaturePolicyEnvelope)
    case channelPolicy(String)

    /// The channel's Application `Endorsement` policy: fabnet's default, as Fabric's.
    public static let channelDefault = EndorsementPolicy.channelPolicy("/Channel/Application/Endorsement")

    /// From Fabric's `ApplicationPolicy`; nil when it holds neither kind.
    public init?(_ policy: Common_ApplicationPolicy) {
        switch policy.type {
        case .signaturePolicy(let envelope): self = .signature(envelope)
        case .channelConfigPolicyReference(let path): self = .channelPolicy(path)
        case nil: return nil
        }
    }

    public var applicationPolicy: Common_ApplicationPolicy {
        var policy = Common_ApplicationPolicy()
        switch self {
        case .signature(let envelope): policy.signaturePolicy = envelope
        case .channelPolicy(let path): policy.channelConfigPolicyReference = path
        }
        return policy
    }

    public func evaluate(signers: [PolicySigner], channel: PolicyEvaluator?) -> PolicyEvaluation {
        switch self {
        case .signature(let envelope):
            return PolicyEvaluator.evaluate(envelope, signers: signers)
        case .channelPolicy(let path):
            guard let channel else {
                return PolicyEvaluation(satisfied: false, explanation: "no channel policies to evaluate \(path) in")
            }
            return channel.evaluate(path, signers: signers)
        }
    }

    /// `evaluate(signers:channel:).satisfied` without the explanation (see
    /// ``FabricPolicy/PolicyEvaluator/isSatisfied(_:signers:)``).
    public func isSatisfied(signers: [PolicySigner], channel: PolicyEvaluator?) -> Bool {
        switch self {
        case .signature(let envelope): PolicyEvaluator.isSatisfied(envelope, signers: signers)
        case .channelPolicy(let path): channel?.isSatisfied(path, signers: signers) ?? false
        }
    }

    /// Words for messages: the rule, or the channel policy's path.
    public var text: String {
        switch self {
        case .signature(let envelope): SignaturePolicyText.text(of: envelope)
        case .channelPolicy(let path): path
        }
    }
}
