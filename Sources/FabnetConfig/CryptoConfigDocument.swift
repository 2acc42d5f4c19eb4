/// cryptogen's crypto-config.yaml as written: `OrdererOrgs` and `PeerOrgs`, each with its CA,
/// explicit `Specs`, a `Template` of numbered hosts and a `Users` count. Produced by
/// `CryptoConfigParser`; the node list is expanded exactly as cryptogen does (Specs, then Template).
struct CryptoConfigDocument {
    var organizations: [CryptoConfigOrganization] = []
}

struct CryptoConfigOrganization {
    var name: String
    var domain: String
    var role: OrganizationRole
    var enableNodeOUs: Bool
    var caHostname: String
    var nodes: [CryptoConfigNode]
    var users: Int
    var location: SourceLocation
    var path: String
}

/// One node cryptogen makes an identity for.
struct CryptoConfigNode {
    var hostname: String
    var commonName: String
    var sans: [String]
    var location: SourceLocation
    /// Its key path in the crypto-config file, e.g. `OrdererOrgs[0].Specs[1]`.
    var path: String
}
