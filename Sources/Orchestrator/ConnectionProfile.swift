/// A Fabric common connection profile for one peer org, in the shape fabric-samples' test network
/// writes (`connection-org1.json`): what an SDK or a fabric-gateway application reads to reach the
/// org's peers over TLS.
///
/// Guarantees (when made by `ConnectionProfile.make`): `organizations` has exactly the org, whose
/// `peers` lists every peer of the org in the description's order; each peer's `url` is
/// `grpcs://localhost:<its grpcPort in network.json>`, its `tlsCACerts.pem` is the org's TLS CA
/// certificate as it is on disk, and both host overrides are the name its TLS certificate carries.
/// Differs from test-network: no `certificateAuthorities`, since fabnet runs no CA server (the
/// identities are cryptogen-style files; see `fabnet env`).
public struct ConnectionProfile: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var client: Client
    public var organizations: [String: Organization]
    public var peers: [String: Peer]

    /// The profile's own org and how long an SDK waits for an endorsement.
    public struct Client: Codable, Sendable, Equatable {
        public var organization: String
        public var connection: Connection
    }

    /// The client's connection settings (`client.connection`): only its timeouts.
    public struct Connection: Codable, Sendable, Equatable {
        public var timeout: Timeout
    }

    /// `client.connection.timeout`: per kind of node.
    public struct Timeout: Codable, Sendable, Equatable {
        public var peer: PeerTimeouts
    }

    /// Seconds, as a string (the SDKs read it so).
    public struct PeerTimeouts: Codable, Sendable, Equatable {
        public var endorser: String
    }

    /// An org: its MSP ID and the names of its peers (keys of `peers`).
    public struct Organization: Codable, Sendable, Equatable {
        public var mspid: String
        public var peers: [String]
    }

    /// Where a peer listens and how to trust it.
    public struct Peer: Codable, Sendable, Equatable {
        public var url: String
        public var tlsCACerts: TLSCACerts
        public var grpcOptions: GRPCOptions
    }

    /// The CA certificate(s) to trust for a peer's TLS, inline as PEM text.
    public struct TLSCACerts: Codable, Sendable, Equatable {
        public var pem: String
    }

    /// The TLS server name to expect: every node listens on 127.0.0.1 under its own name.
    public struct GRPCOptions: Codable, Sendable, Equatable {
        public var sslTargetNameOverride: String
        public var hostnameOverride: String

        enum CodingKeys: String, CodingKey {
            case sslTargetNameOverride = "ssl-target-name-override"
            case hostnameOverride
        }
    }
}
