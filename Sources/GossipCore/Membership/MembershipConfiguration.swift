import FabnetModel

/// What a peer's membership needs to know at start: itself, whom to contact, which orgs it may
/// talk to, and the timers.
public struct MembershipConfiguration: Sendable {
    public let pkiID: PKIID
    public let mspID: String
    public let internalEndpoint: Endpoint
    /// `nil`: invisible to other orgs, and does not contact their anchor peers (as Fabric).
    public let externalEndpoint: Endpoint?
    /// Peers of the same org to contact at start (another org's endpoint here is refused).
    public let bootstrap: [Endpoint]
    /// Anchor peers of every org, from the channel configurations.
    public let anchors: [String: [Endpoint]]
    /// Orgs sharing at least one channel with this peer's org (its own included); membership of
    /// other orgs is neither learned nor disclosed.
    public let organizationsSharingAChannel: Set<String>
    /// Which orgs may learn about which (from the org sets of this peer's channels).
    public let sharing: OrganizationSharing
    public let settings: GossipSettings

    /// `channelOrganizations`: the org set of each channel this peer's org is in; `nil` treats
    /// `organizationsSharingAChannel` as one channel.
    public init(pkiID: PKIID, mspID: String, internalEndpoint: Endpoint, externalEndpoint: Endpoint?, bootstrap: [Endpoint],
                anchors: [String: [Endpoint]], organizationsSharingAChannel: Set<String>, channelOrganizations: [Set<String>]? = nil,
                settings: GossipSettings) {
        self.pkiID = pkiID
        self.mspID = mspID
        self.internalEndpoint = internalEndpoint
        self.externalEndpoint = externalEndpoint
        self.bootstrap = bootstrap
        self.anchors = anchors
        self.organizationsSharingAChannel = organizationsSharingAChannel.union([mspID])
        sharing = OrganizationSharing(channels: channelOrganizations ?? [self.organizationsSharingAChannel])
        self.settings = settings
    }

    /// Endpoints the peer keeps in its view even when they are long dead (Fabric keeps
    /// bootstrap and anchor peers so a partition can heal through them).
    var permanentEndpoints: Set<Endpoint> {
        Set(bootstrap).union(anchors.values.flatMap { $0 })
    }
}
