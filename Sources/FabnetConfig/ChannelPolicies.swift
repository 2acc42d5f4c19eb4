/// The policies of a channel's three levels as the description gives them (a profile's own
/// `Policies`, its `Orderer.Policies`, its `Application.Policies`), with configtxgen's usual
/// policies filling a level the description leaves out. Made by `NetworkLoader`, which
/// guarantees every level has `Readers`, `Writers` and `Admins`, the orderer level
/// `BlockValidation`, and the application level `Endorsement` and `LifecycleEndorsement`.
public struct ChannelPolicies: Sendable, Codable, Hashable {
    /// `/Channel/<name>`.
    public var channel: [String: PolicySpec]
    /// `/Channel/Orderer/<name>`.
    public var orderer: [String: PolicySpec]
    /// `/Channel/Application/<name>`.
    public var application: [String: PolicySpec]

    public init(channel: [String: PolicySpec], orderer: [String: PolicySpec], application: [String: PolicySpec]) {
        self.channel = channel
        self.orderer = orderer
        self.application = application
    }

    /// `Readers: ANY Readers`, `Writers: ANY Writers`, `Admins: MAJORITY Admins`, as
    /// fabric-samples write for every level.
    public static let defaultChannel: [String: PolicySpec] = [
        "Readers": .implicitMeta("ANY Readers"),
        "Writers": .implicitMeta("ANY Writers"),
        "Admins": .implicitMeta("MAJORITY Admins"),
    ]

    /// The channel defaults plus `BlockValidation: ANY Writers`.
    public static let defaultOrderer: [String: PolicySpec] =
        defaultChannel.merging(["BlockValidation": .implicitMeta("ANY Writers")]) { first, _ in first }

    /// The channel defaults plus `Endorsement` and `LifecycleEndorsement: MAJORITY Endorsement`.
    public static let defaultApplication: [String: PolicySpec] =
        defaultChannel.merging(applicationEndorsementDefaults) { first, _ in first }

    /// What fabric-samples' test-network gives the application level for endorsements.
    public static let applicationEndorsementDefaults: [String: PolicySpec] = [
        "Endorsement": .implicitMeta("MAJORITY Endorsement"),
        "LifecycleEndorsement": .implicitMeta("MAJORITY Endorsement"),
    ]

    /// The defaults of all three levels.
    public static let defaults = ChannelPolicies(channel: defaultChannel, orderer: defaultOrderer, application: defaultApplication)
}

extension PolicySpec {
    /// `Type: Signature` with the given rule.
    public static func signature(_ rule: String) -> PolicySpec { PolicySpec(type: "Signature", rule: rule) }

    /// `Type: ImplicitMeta` with the given rule.
    public static func implicitMeta(_ rule: String) -> PolicySpec { PolicySpec(type: "ImplicitMeta", rule: rule) }

    /// The policies cryptogen-era samples write for an org that describes none: for a peer org
    /// (fabric-samples' test-network `Org1`) Readers any of admin, peer, client; Writers admin or
    /// client; Admins admin; Endorsement peer. For an orderer org (its `OrdererOrg`) Readers and
    /// Writers any member, Admins admin.
    public static func organizationDefaults(mspID: String, role: OrganizationRole) -> [String: PolicySpec] {
        switch role {
        case .peer:
            return [
                "Readers": .signature("OR('\(mspID).admin', '\(mspID).peer', '\(mspID).client')"),
                "Writers": .signature("OR('\(mspID).admin', '\(mspID).client')"),
                "Admins": .signature("OR('\(mspID).admin')"),
                "Endorsement": .signature("OR('\(mspID).peer')"),
            ]
        case .orderer:
            return [
                "Readers": .signature("OR('\(mspID).member')"),
                "Writers": .signature("OR('\(mspID).member')"),
                "Admins": .signature("OR('\(mspID).admin')"),
            ]
        }
    }
}
