import FabricWire

/// The policies of one config group and of its sub-groups, by name, as a tree: what policy
/// evaluation walks. Made from a `Common_ConfigGroup`; guarantees nothing about the policies'
/// contents (they are decoded when evaluated).
public struct ConfigPolicyGroup: Sendable {
    public var policies: [String: Common_Policy]
    public var groups: [String: ConfigPolicyGroup]

    public init(policies: [String: Common_Policy] = [:], groups: [String: ConfigPolicyGroup] = [:]) {
        self.policies = policies
        self.groups = groups
    }

    public init(_ group: Common_ConfigGroup) {
        policies = group.policies.mapValues(\.policy)
        groups = group.groups.mapValues(ConfigPolicyGroup.init)
    }

    /// The group at `components` below this one (empty: this one), or nil.
    public func group(at components: some Sequence<String>) -> ConfigPolicyGroup? {
        var group = self
        for name in components {
            guard let next = group.groups[name] else { return nil }
            group = next
        }
        return group
    }

    /// Every policy of the tree by absolute path, `prefix` naming this group (`/Channel`).
    public func allPolicies(prefix: String) -> [String: Common_Policy] {
        var result: [String: Common_Policy] = [:]
        for (name, policy) in policies { result["\(prefix)/\(name)"] = policy }
        for (name, group) in groups {
            result.merge(group.allPolicies(prefix: "\(prefix)/\(name)")) { first, _ in first }
        }
        return result
    }
}
