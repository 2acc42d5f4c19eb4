import FabnetModel

/// A value read from a description together with where it was written.
struct Located<Value> {
    let value: Value
    let location: SourceLocation
    let path: String
}

/// configtx.yaml as written, before it is resolved into a `NetworkSpec`: the parts fabnet uses,
/// each with its place in the file. Produced by `ConfigTxParser`.
struct ConfigTxDocument {
    var file: String
    var organizations: [ConfigTxOrganization] = []
    var orderer: ConfigTxOrderer?
    var application: ConfigTxApplication?
    var profiles: [ConfigTxProfile] = []
    var channels: [ConfigTxChannel] = []
    /// fabnet's own `Chaincodes` key: chaincode servers `up` deploys.
    var chaincodes: [ConfigTxChaincode] = []
    var location: SourceLocation
}

/// One entry of `Organizations` (or an org inlined in a profile).
struct ConfigTxOrganization {
    var name: String?
    var id: String?
    var mspDir: String?
    var policies: [String: PolicySpec] = [:]
    var anchorPeers: [Located<Endpoint>] = []
    var ordererEndpoints: [Located<Endpoint>] = []
    // fabnet's single-file extensions
    var domain: Located<String>?
    var peers: PeerTemplate?
    var users: Int?
    var enableNodeOUs: Bool?
    var location: SourceLocation
    var path: String
}

/// fabnet's `Peers:` key of an organization: how many peers it runs and on which ports.
struct PeerTemplate {
    var count: Int
    var start: Int
    var port: Located<Int>?
    var location: SourceLocation
}

/// An `Orderer:` section (top level or in a profile).
struct ConfigTxOrderer {
    var type: String?
    var addresses: [Located<Endpoint>] = []
    var batchTimeout: Duration?
    var maxMessageCount: Int?
    var absoluteMaxBytes: Int?
    var preferredMaxBytes: Int?
    /// Raft `EtcdRaft.Consenters` and BFT `ConsenterMapping` entries, as written.
    var consenters: [Located<Endpoint>] = []
    /// The same consenters with their TLS certificate paths, resolved against the file's folder.
    var consenterSpecs: [ConsenterSpec] = []
    var organizations: [OrganizationReference] = []
    var capabilities: [String]?
    /// `Policies`, when the section has the key (an empty map counts as given).
    var policies: [String: PolicySpec]?
    var location: SourceLocation
}

/// An `Application:` section.
struct ConfigTxApplication {
    var organizations: [OrganizationReference] = []
    var capabilities: [String]?
    var policies: [String: PolicySpec]?
    var location: SourceLocation
}

/// A profile: the orderer and application parts a channel is made from.
struct ConfigTxProfile {
    var name: String
    var orderer: ConfigTxOrderer?
    var application: ConfigTxApplication?
    var capabilities: [String]?
    /// The profile's own (channel-level) `Policies`.
    var policies: [String: PolicySpec]?
    var location: SourceLocation
}

/// fabnet's top-level `Channels:` entry: a channel `fabnet up` creates from a profile.
/// One entry of fabnet's `Chaincodes` key, as written.
struct ConfigTxChaincode {
    var name: String
    var address: String
    var channels: [String]
    var version: String?
    var policy: String?
    var id: String?
    var tlsRootCert: String?
    var location: SourceLocation
    var path: String
}

struct ConfigTxChannel {
    var name: String
    var profile: String
    var location: SourceLocation
    var path: String
}

/// An org as a profile lists it: usually an alias of an `Organizations` entry (possibly merged
/// and overridden), or just its name.
struct OrganizationReference {
    var name: String?
    var id: String?
    var location: SourceLocation
    var path: String

    var label: String { id ?? name ?? "?" }
}
