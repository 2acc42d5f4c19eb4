import FabnetConfig
import FabnetCrypto
import FabnetModel
import Foundation
import Transport

/// A peer's home folder: `peer.json` (below), its `msp/` and `tls/`, the verifying MSPs of every
/// org of the network under `orgs/<MSP ID>/msp`, an optional `core.yaml` (its `peer.gossip`
/// keys, then `CORE_PEER_GOSSIP_*` variables, override fabnet's gossip defaults), and its ledgers
/// under `ledger/<channel>/`.
public struct PeerHome: Sendable {
    /// `peer.json`. Endpoints are `host:port`; hosts are the names the TLS certificates carry
    /// (every node listens on 127.0.0.1).
    public struct Configuration: Codable, Sendable, Equatable {
        public var mspID: String
        public var name: String
        public var listenHost: String
        public var port: Int
        /// Where the peer serves Fabric's gRPC services (Deliver); none when absent.
        public var grpcPort: Int?
        public var operationsPort: Int
        /// The gossip endpoint other peers dial (the peer's host name and port).
        public var endpoint: String
        /// Whether other orgs may see and dial this peer (Fabric's external endpoint).
        public var externalEndpoint: Bool
        /// Own-org peers to contact at start.
        public var bootstrap: [String]
        /// Anchor peers per org, from the channel configurations.
        public var anchors: [String: [String]]
        /// Every org whose identities may connect.
        public var organizations: [String]
        /// The orgs whose signature a block needs.
        public var ordererOrganizations: [String]
        /// The orderer to pull blocks from when leader: `host:port` (host = its certificate name).
        public var orderer: String
        /// The member orgs of each channel the description gives this peer's org.
        public var channels: [String: [String]]
        /// `fsync` (default) or `buffered`.
        public var durability: String
        public var maximumFrameSize: Int

        public init(mspID: String, name: String, listenHost: String, port: Int, grpcPort: Int? = nil, operationsPort: Int, endpoint: String, externalEndpoint: Bool,
                    bootstrap: [String], anchors: [String: [String]], organizations: [String], ordererOrganizations: [String],
                    orderer: String, channels: [String: [String]], durability: String, maximumFrameSize: Int) {
            self.mspID = mspID
            self.name = name
            self.listenHost = listenHost
            self.port = port
            self.grpcPort = grpcPort
            self.operationsPort = operationsPort
            self.endpoint = endpoint
            self.externalEndpoint = externalEndpoint
            self.bootstrap = bootstrap
            self.anchors = anchors
            self.organizations = organizations
            self.ordererOrganizations = ordererOrganizations
            self.orderer = orderer
            self.channels = channels
            self.durability = durability
            self.maximumFrameSize = maximumFrameSize
        }
    }

    public let directory: URL
    public let configuration: Configuration

    public static let fileName = "peer.json"

    public var mspDirectory: URL { directory.appendingPathComponent("msp") }
    public var tlsDirectory: URL { directory.appendingPathComponent("tls") }
    public var ledgerDirectory: URL { Self.ledgerDirectory(home: directory) }
    /// The folder of the channels' ledgers in the peer home at `home`.
    public static func ledgerDirectory(home: URL) -> URL { home.appendingPathComponent("ledger") }
    public var coreYAML: URL { directory.appendingPathComponent("core.yaml") }
    /// The chaincode servers this peer reaches (`ChaincodeConnections`).
    public var chaincodesFile: URL { directory.appendingPathComponent("chaincodes.json") }
    public func organizationMSP(_ mspID: String) -> URL { directory.appendingPathComponent("orgs/\(mspID)/msp") }

    /// Reads `peer.json`; a missing or malformed file is an error that says how to make one.
    public static func load(_ directory: URL) throws -> PeerHome {
        let file = directory.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: file) else {
            throw PeerError.configuration("\(file.path) not found; `fabnet up` writes it (under .fabnet/nodes/<peer>/)")
        }
        do {
            return PeerHome(directory: directory, configuration: try JSONDecoder().decode(Configuration.self, from: data))
        } catch {
            throw PeerError.configuration("\(file.path) is not a valid peer configuration: \(error)")
        }
    }

    /// Writes the home of `configuration`'s peer, copying its MSP and TLS folders from
    /// `nodeDirectory` and every org's verifying MSP from `organizationMSPs`, or linking `orgs`
    /// to `sharedOrganizations` (see `NodeHomeFiles.install`).
    @discardableResult
    public static func create(at directory: URL, configuration: Configuration, nodeDirectory: URL,
                              organizationMSPs: [(mspID: String, directory: URL)], sharedOrganizations: URL? = nil) throws -> PeerHome {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        let home = PeerHome(directory: directory, configuration: configuration)
        guard fileManager.fileExists(atPath: nodeDirectory.path) else {
            throw PeerError.configuration("\(nodeDirectory.path) not found; run `fabnet crypto generate` first")
        }
        try NodeHomeFiles.install(nodeDirectory: nodeDirectory, into: directory, organizationMSPs: organizationMSPs,
                                  sharedOrganizations: sharedOrganizations)
        try NodeHomeFiles.writeJSON(configuration, to: directory.appendingPathComponent(fileName))
        return home
    }

    public func credentials() throws -> TransportCredentials {
        try TransportCredentials.load(
            mspDirectory: mspDirectory, tlsDirectory: tlsDirectory, mspID: configuration.mspID,
            organizations: configuration.organizations.map { ($0, organizationMSP($0)) })
    }
}

/// What stops a peer or a request to it, with what to do about it.
public enum PeerError: Error, CustomStringConvertible, Equatable {
    case configuration(String)
    case badEndpoint(String, field: String)
    case notAllowed(String)

    public var description: String {
        switch self {
        case .configuration(let text), .notAllowed(let text): return text
        case let .badEndpoint(text, field): return "\(field): \(text) is not HOST:PORT"
        }
    }
}

extension PeerHome.Configuration {
    /// `text` (from peer.json's `field`) as an endpoint, or an error naming the field.
    static func endpoint(_ text: String, field: String) throws -> Endpoint {
        guard let endpoint = Endpoint(parsing: text) else { throw PeerError.badEndpoint(text, field: field) }
        return endpoint
    }
}
