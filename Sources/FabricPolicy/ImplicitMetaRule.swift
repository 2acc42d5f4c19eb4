import FabricWire

/// An ImplicitMeta rule (`ANY Readers`, `ALL Writers`, `MAJORITY Endorsement`) read as configtxgen
/// reads it: exactly two words separated by whitespace, the first `ANY`, `ALL` or `MAJORITY`
/// (upper case, as Fabric requires), the second the sub-policy's name.
public enum ImplicitMetaRule {
    public static func parse(_ rule: String) throws -> Common_ImplicitMetaPolicy {
        let words = rule.split(whereSeparator: \.isWhitespace)
        guard words.count == 2 else {
            throw PolicyRuleError(rule: rule, position: 0, problem: "expected two words, <ANY|ALL|MAJORITY> <sub-policy>, found \(words.count)",
                                  hint: "write e.g. \"MAJORITY Endorsement\"")
        }
        var policy = Common_ImplicitMetaPolicy()
        switch words[0] {
        case "ANY": policy.rule = .any
        case "ALL": policy.rule = .all
        case "MAJORITY": policy.rule = .majority
        default:
            let position = rule.distance(from: rule.startIndex, to: words[0].startIndex)
            throw PolicyRuleError(rule: rule, position: position, problem: "unknown rule '\(words[0])'",
                                  hint: "use ANY, ALL or MAJORITY, in capitals")
        }
        policy.subPolicy = String(words[1])
        return policy
    }

    /// The rule's text as written in configtx.yaml.
    public static func text(of policy: Common_ImplicitMetaPolicy) -> String {
        let rule: String
        switch policy.rule {
        case .any: rule = "ANY"
        case .all: rule = "ALL"
        case .majority: rule = "MAJORITY"
        case .UNRECOGNIZED(let value): rule = "rule \(value)"
        }
        return "\(rule) \(policy.subPolicy)"
    }
}
