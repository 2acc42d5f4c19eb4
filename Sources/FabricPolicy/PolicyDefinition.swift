import FabricWire
import Foundation
import SwiftProtobuf

/// Makes a `Common_Policy` from a configtx.yaml policy (`Type`, `Rule`), as configtxgen's encoder
/// does: `Signature` → type SIGNATURE (1) carrying a `SignaturePolicyEnvelope`, `ImplicitMeta` →
/// type IMPLICIT_META (3) carrying an `ImplicitMetaPolicy`, each serialized into `value`. Any
/// other type, or a rule that does not parse, throws a `PolicyRuleError`.
public enum PolicyDefinition {
    public static func policy(type: String, rule: String) throws -> Common_Policy {
        var policy = Common_Policy()
        switch type {
        case "Signature":
            policy.type = Int32(Common_Policy.PolicyType.signature.rawValue)
            policy.value = try SignaturePolicyRule.parse(rule).serializedBytes()
        case "ImplicitMeta":
            policy.type = Int32(Common_Policy.PolicyType.implicitMeta.rawValue)
            policy.value = try ImplicitMetaRule.parse(rule).serializedBytes()
        default:
            throw PolicyRuleError(rule: rule, position: 0, problem: "unknown policy type '\(type)'", hint: "use Signature or ImplicitMeta")
        }
        return policy
    }
}
