/// Which orgs may learn about which: two orgs may when they share a channel (one org always
/// may learn about itself). Built from the org sets of the channels a peer knows.
public struct OrganizationSharing: Sendable, Hashable {
    /// Org → the orgs it shares a channel with (itself included).
    private let partners: [String: Set<String>]

    public init(channels: [Set<String>]) {
        var partners: [String: Set<String>] = [:]
        for orgs in channels { for org in orgs { partners[org, default: [org]].formUnion(orgs) } }
        self.partners = partners
    }

    /// Every org that shares a channel with `org`.
    public func partners(of org: String) -> Set<String> { partners[org] ?? [org] }
}

/// Fabric's disclosure rules: what a peer may tell another peer about a third one.
///
/// - An internal endpoint never leaves its org.
/// - A peer without an external endpoint is never disclosed to another org.
/// - An org learns only about the orgs it shares a channel with: a peer in channels A–B and A–C
///   does not tell C about B's peers.
public enum Disclosure {
    /// How `member` may be shown to a peer of `recipientOrg`, or `nil` if it may not be.
    public static func view(of member: AliveMessage, for recipientOrg: String, sharing: OrganizationSharing) -> AliveMessage? {
        view(of: member, for: recipientOrg, partners: sharing.partners(of: recipientOrg))
    }

    /// The same, with the recipient org's partners looked up once for many members.
    public static func view(of member: AliveMessage, for recipientOrg: String, partners: Set<String>) -> AliveMessage? {
        if member.mspID == recipientOrg { return member }
        guard member.externalEndpoint != nil, partners.contains(member.mspID) else { return nil }
        return member.withoutInternalEndpoint
    }
}
