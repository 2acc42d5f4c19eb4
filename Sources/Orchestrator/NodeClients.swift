import FabnetConfig
import FabnetClient
import FabnetCrypto
import FabnetModel
import FabnetWire
import Foundation
import Synchronization
import Transport

/// Clients that act as one org's identity against the network's nodes (admin requests,
/// deliver, broadcast): the orderer and peers answer the same `admin` packet.
public struct NodeClients: Sendable {
    public let spec: NetworkSpec
    public let layout: CryptoLayout
    public let manifest: NetworkState.Manifest
    /// Credentials loaded so far, by org and role: `up` polls every peer's status many times, and
    /// loading anew read and parsed every org's certificates and made new TLS contexts each time.
    private let loaded = LoadedCredentials()

    public init(spec: NetworkSpec, layout: CryptoLayout, manifest: NetworkState.Manifest) {
        self.spec = spec
        self.layout = layout
        self.manifest = manifest
    }

    /// Transport credentials of `org`'s first user with `role` (Admin for administration),
    /// loaded once.
    public func credentials(of mspID: String, role: UserRole) throws -> TransportCredentials {
        try loaded.credentials(for: "\(mspID)/\(role.rawValue)") { try loadCredentials(of: mspID, role: role) }
    }

    private func loadCredentials(of mspID: String, role: UserRole) throws -> TransportCredentials {
        guard let org = spec.organization(mspID: mspID),
              let user = org.users.first(where: { $0.role == role }) ?? org.users.first else {
            throw OrchestratorError.state("\(mspID) has no \(role.rawValue) user in the description")
        }
        return try Self.credentials(of: user, in: org, spec: spec, layout: layout)
    }

    /// Transport credentials of `user` of `org`, trusting every org of the description.
    public static func credentials(of user: UserSpec, in org: OrganizationSpec, spec: NetworkSpec, layout: CryptoLayout) throws -> TransportCredentials {
        let directory = layout.userDirectory(user, in: org)
        guard FileManager.default.fileExists(atPath: directory.path) else {
            // Never "generate it": material made anew comes from new CAs the nodes do not trust.
            throw OrchestratorError.state("\(directory.path) not found: the crypto material in \(layout.root.path) is incomplete. Restore it from a copy, or start afresh with `fabnet down --clean` and `fabnet up`")
        }
        return try TransportCredentials.load(
            mspDirectory: directory.appendingPathComponent("msp"), tlsDirectory: directory.appendingPathComponent("tls"),
            mspID: org.mspID, organizations: spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) })
    }

    /// A client of `node` acting as an identity of `mspID` (default: the node's own org's admin).
    public func client(of node: NetworkState.Node, as mspID: String? = nil, role: UserRole = .admin) throws -> OrdererClient {
        let credentials = try credentials(of: mspID ?? node.mspID, role: role)
        return OrdererClient(transport: Transport(credentials: credentials), port: node.port, serverHostname: node.host)
    }

    public var orderer: NetworkState.Node? { manifest.nodes.first { $0.role == "orderer" } }
    public var peers: [NetworkState.Node] { manifest.nodes.filter { $0.role == "peer" } }

    /// A peer's status (channels, heights, leadership, membership), as its org's admin.
    public func status(of peer: NetworkState.Node) async throws -> WireAdminResponse {
        try await client(of: peer).admin(.peerStatus(WirePeerStatus()))
    }
}

/// Credentials by key, each loaded once (safe from any task).
final class LoadedCredentials: Sendable {
    private let entries = Mutex<[String: TransportCredentials]>([:])

    func credentials(for key: String, _ load: () throws -> TransportCredentials) throws -> TransportCredentials {
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let credentials = try load()
        entries.withLock { $0[key] = credentials }
        return credentials
    }
}
