/// Why a policy rule (Fabric's signature-policy DSL or an ImplicitMeta rule) could not be read:
/// the rule as given, the 0-based character offset where reading stopped, what is wrong there and
/// how to write it instead. Its `description` is a complete message.
public struct PolicyRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let rule: String
    /// Offset in characters from the start of `rule`.
    public let position: Int
    public let problem: String
    public let hint: String

    public init(rule: String, position: Int, problem: String, hint: String) {
        self.rule = rule
        self.position = position
        self.problem = problem
        self.hint = hint
    }

    public var description: String {
        "policy rule \"\(rule)\": at character \(position + 1), \(problem) (\(hint))"
    }
}
