import FabnetModel

/// A whole network as fabnet runs it: organizations with their nodes and users, the ordering
/// service and the channels. Made only by `NetworkLoader`, which guarantees it is valid: MSP IDs,
/// domains and node ports are unique, every anchor peer is a peer of its org, every channel
/// names known orgs, there is at least one orderer, and batch parameters are consistent.
public struct NetworkSpec: Sendable, Codable {
    /// The description it was read from (a path, or `embedded default`).
    public var source: String
    public var organizations: [OrganizationSpec]
    public var orderer: OrdererServiceSpec
    public var channels: [ChannelSpec]
    /// Chaincode servers `fabnet up` deploys (fabnet's `Chaincodes` key), in the order written.
    public var chaincodes: [ChaincodeSpec] = []

    public var peers: [NodeSpec] { organizations.flatMap(\.peers) }
    public var orderers: [NodeSpec] { organizations.flatMap(\.orderers) }
    public var nodes: [NodeSpec] { orderers + peers }

    public func organization(mspID: String) -> OrganizationSpec? {
        organizations.first { $0.mspID == mspID }
    }
}

/// Whether an org's material lives under `peerOrganizations/` or `ordererOrganizations/`.
public enum OrganizationRole: String, Sendable, Codable {
    case peer
    case orderer
}

/// One organization: its MSP, its CA's domain, its nodes and users. Node names are unique within
/// the network and all lower case.
public struct OrganizationSpec: Sendable, Codable {
    public var name: String
    public var mspID: String
    /// The DNS suffix of its nodes and CAs, e.g. `org1.example.com`.
    public var domain: String
    public var role: OrganizationRole
    /// `MSPDir` resolved against the description's folder, when the description gives one.
    public var mspDir: String?
    public var enableNodeOUs: Bool
    /// Host name of the signing CA (`ca`, so `ca.<domain>`); the TLS CA is `tlsca.<domain>`.
    public var caHostname: String
    public var peers: [NodeSpec]
    public var orderers: [NodeSpec]
    /// `Admin@<domain>` first, then `User1@<domain>` …
    public var users: [UserSpec]
    /// The org's anchor peers, each a peer of the org, in the order written. One written with
    /// the peer's name is kept as written; one written as a loopback address (`127.0.0.1`,
    /// `localhost`) with a port is the org's peer on that port: `<its common name>:<that port>`,
    /// so it equals that peer's `endpoint`.
    public var anchorPeers: [Endpoint]
    public var ordererEndpoints: [Endpoint]
    /// The org's `Policies` as written; an org that writes none gets
    /// `PolicySpec.organizationDefaults` for its role.
    public var policies: [String: PolicySpec]

    public var nodes: [NodeSpec] { orderers + peers }
}

/// A node of the network: a peer or an orderer.
public struct NodeSpec: Sendable, Codable, Hashable {
    /// Short host name, e.g. `peer0`.
    public var hostname: String
    /// Fully qualified name, the certificate's CN, e.g. `peer0.org1.example.com`.
    public var commonName: String
    public var role: NodeRole
    public var mspID: String
    /// The port the description gives the node (an anchor peer, `Peers.Port`, an orderer
    /// endpoint or consenter), else one fabnet chose that no other node has: ports are unique
    /// network-wide, as every node binds 127.0.0.1. `fabnet up` hands out its own ports from
    /// `--base-port`; this one names the node in the description.
    public var port: Int
    /// Extra subject alternative names asked for by the description.
    public var extraSANs: [String]

    /// How the description names this node (`peer0.org1.example.com:7051`).
    public var endpoint: Endpoint { Endpoint(host: commonName, port: port)! }
}

/// A user identity of an org (`Admin@org1.example.com`, `User1@org1.example.com`).
public struct UserSpec: Sendable, Codable, Hashable {
    /// `Admin`, `User1`, …
    public var name: String
    public var commonName: String
    public var role: UserRole
}

/// A chaincode `fabnet up` defines on its channels, as `fabnet chaincode deploy` would.
/// Guarantees (from `NetworkLoader`): the channels are channels of the network, the address is
/// HOST:PORT or empty (no `Address`: the chaincode dials the peers, and has no TLS root), names
/// are used once, and a TLS root certificate path is resolved against the description's folder.
public struct ChaincodeSpec: Sendable, Codable, Hashable {
    public var name: String
    /// Where its server listens; empty when the chaincode dials the peers.
    public var address: String
    public var channels: [String]
    public var version: String?
    public var policy: String?
    public var id: String?
    public var tlsRootCert: String?
}

/// A policy as configtx writes it (`Type: Signature`, `Rule: "OR('Org1MSP.member')"`).
public struct PolicySpec: Sendable, Codable, Hashable {
    /// `Signature` or `ImplicitMeta`.
    public var type: String
    public var rule: String

    public init(type: String, rule: String) {
        self.type = type
        self.rule = rule
    }
}

/// The ordering service: its consensus type and the endpoints clients use.
public struct OrdererServiceSpec: Sendable, Codable {
    /// `etcdraft`, `BFT`, or `solo` as written; fabnet runs one orderer process whatever it says.
    public var type: String
    /// Every orderer of the network (`<common name>:<port>`), in order; fabnet runs the first.
    public var endpoints: [Endpoint]
    /// Raft `Consenters` or BFT `ConsenterMapping` entries of the first profile (else the
    /// top-level `Orderer`) that has some, as written (hosts may be `127.0.0.1`); fabnet runs
    /// one orderer and keeps them for tools that read them.
    public var consenters: [ConsenterSpec]
}

/// A raft consenter of configtx's `EtcdRaft.Consenters`, or a BFT `ConsenterMapping` entry, cert
/// paths resolved against the file.
public struct ConsenterSpec: Sendable, Codable, Hashable {
    public var endpoint: Endpoint
    public var clientTLSCert: String?
    public var serverTLSCert: String?
}

/// A channel `fabnet up` creates: its member orgs, the batch parameters of its orderer, its
/// capabilities and policies.
public struct ChannelSpec: Sendable, Codable {
    public var name: String
    public var profile: String
    /// MSP IDs of the application (peer) orgs.
    public var memberOrgs: [String]
    /// MSP IDs of the orderer orgs.
    public var ordererOrgs: [String]
    public var batch: BatchParameters
    public var capabilities: ChannelCapabilities
    /// The channel's policies by level, defaults filled in.
    public var policies: ChannelPolicies
}

/// The capabilities a channel's profile enables, by level (names such as `V2_0`, sorted).
public struct ChannelCapabilities: Sendable, Codable, Hashable {
    public var channel: [String]
    public var orderer: [String]
    public var application: [String]
}

/// When the orderer cuts a block. Guarantees: `maxMessageCount ≥ 1`, sizes > 0 and
/// `preferredMaxBytes ≤ absoluteMaxBytes`.
public struct BatchParameters: Sendable, Codable, Hashable {
    public var batchTimeout: Duration
    public var maxMessageCount: Int
    public var absoluteMaxBytes: Int
    public var preferredMaxBytes: Int

    /// configtxgen's values when the keys are left out.
    public static let fabricDefaults = BatchParameters(
        batchTimeout: .seconds(2), maxMessageCount: 500, absoluteMaxBytes: 10 << 20, preferredMaxBytes: 2 << 20)

    public init(batchTimeout: Duration, maxMessageCount: Int, absoluteMaxBytes: Int, preferredMaxBytes: Int) {
        self.batchTimeout = batchTimeout
        self.maxMessageCount = maxMessageCount
        self.absoluteMaxBytes = absoluteMaxBytes
        self.preferredMaxBytes = preferredMaxBytes
    }

    enum CodingKeys: String, CodingKey { case batchTimeout, maxMessageCount, absoluteMaxBytes, preferredMaxBytes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let timeout = try container.decode(String.self, forKey: .batchTimeout)
        guard let duration = GoDuration.parse(timeout) else {
            throw DecodingError.dataCorruptedError(forKey: .batchTimeout, in: container, debugDescription: "not a duration: \(timeout)")
        }
        batchTimeout = duration
        maxMessageCount = try container.decode(Int.self, forKey: .maxMessageCount)
        absoluteMaxBytes = try container.decode(Int.self, forKey: .absoluteMaxBytes)
        preferredMaxBytes = try container.decode(Int.self, forKey: .preferredMaxBytes)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(GoDuration.format(batchTimeout), forKey: .batchTimeout)
        try container.encode(maxMessageCount, forKey: .maxMessageCount)
        try container.encode(absoluteMaxBytes, forKey: .absoluteMaxBytes)
        try container.encode(preferredMaxBytes, forKey: .preferredMaxBytes)
    }
}
