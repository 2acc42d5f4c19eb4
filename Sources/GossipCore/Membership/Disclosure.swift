/// Fabric's disclosure rules: what a peer may tell another peer about a third one.
///
/// - An internal endpoint never leaves its org.
/// - A peer without an external endpoint is never disclosed to another org.
/// - An org learns only about the orgs it shares a channel with.
public enum Disclosure {
    /// How `member` may be shown to a peer of `recipientOrg`, or `nil` if it may not be.
    public static func view(of member: AliveMessage, for recipientOrg: String, sharing: Set<String>) -> AliveMessage? {
        if member.mspID == recipientOrg { return member }
        guard member.externalEndpoint != nil, sharing.contains(recipientOrg), sharing.contains(member.mspID) else { return nil }
        return member.withoutInternalEndpoint
    }
}
