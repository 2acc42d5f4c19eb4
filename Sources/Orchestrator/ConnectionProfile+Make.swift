import FabnetConfig
import FabnetCrypto
import Foundation

extension ConnectionProfile {
    /// How long an SDK waits for a peer's endorsement, in seconds (test-network's value).
    static let endorserTimeoutSeconds = "300"

    /// The profile of `org` (a peer org of `spec`) for the network `manifest` records: every peer
    /// of the org at its gRPC port on localhost, trusted through the org's TLS CA in `layout`.
    /// Throws, naming the file or node, when the TLS CA certificate cannot be read or a peer has
    /// no gRPC port in the manifest.
    public static func make(for org: OrganizationSpec, in spec: NetworkSpec, manifest: NetworkState.Manifest,
                            layout: CryptoLayout) throws -> ConnectionProfile {
        let naming = ProfileNaming(spec: spec)
        let key = naming.organizationKey(of: org)
        let caFile = layout.tlsCADirectory(org).appendingPathComponent(layout.tlsCACertificateName(org))
        guard let pemData = FileManager.default.contents(atPath: caFile.path) else {
            throw OrchestratorError.state("\(org.mspID)'s TLS CA certificate \(caFile.path) cannot be read; restore the crypto material, or start afresh with `fabnet down --clean` and `fabnet up`")
        }
        let pem = String(decoding: pemData, as: UTF8.self)
        var peers: [String: Peer] = [:]
        for peer in org.peers {
            guard let node = manifest.nodes.first(where: { $0.name == peer.commonName }), let grpcPort = node.grpcPort else {
                throw OrchestratorError.state("\(peer.commonName) has no gRPC port in the network's network.json; run `fabnet down --clean` and `fabnet up` to record one")
            }
            peers[node.name] = Peer(url: "grpcs://localhost:\(grpcPort)", tlsCACerts: TLSCACerts(pem: pem),
                                    grpcOptions: GRPCOptions(sslTargetNameOverride: node.host, hostnameOverride: node.host))
        }
        return ConnectionProfile(
            name: "fabnet-\(naming.fileStem(of: org))", version: "1.0.0",
            client: Client(organization: key, connection: Connection(timeout: Timeout(peer: PeerTimeouts(endorser: endorserTimeoutSeconds)))),
            organizations: [key: Organization(mspid: org.mspID, peers: org.peers.map(\.commonName))],
            peers: peers)
    }
}

/// How a peer org is named in connection profiles, as fabric-samples' test network names it:
/// `org1.example.com` is `Org1` inside the profile and `connection-org1.json` on disk.
///
/// Guarantees: the name comes from the first label of the org's domain; when two peer orgs share
/// that label (`org1.a.com`, `org1.b.com`) both use their whole domain with dots as dashes, so
/// every peer org's file name is different (domains are unique in a valid description).
public struct ProfileNaming: Sendable {
    public let spec: NetworkSpec

    public init(spec: NetworkSpec) { self.spec = spec }

    /// `org1` for `org1.example.com`: the lower-case stem of the org's file names.
    public func fileStem(of org: OrganizationSpec) -> String {
        let label = Self.firstLabel(org.domain)
        let sharing = spec.organizations.filter { !$0.peers.isEmpty && Self.firstLabel($0.domain) == label }
        return (sharing.count > 1 ? org.domain.replacingOccurrences(of: ".", with: "-") : label).lowercased()
    }

    /// `Org1`: the key of the org in the profile's `organizations`, and its `client.organization`.
    public func organizationKey(of org: OrganizationSpec) -> String {
        let stem = fileStem(of: org)
        return stem.prefix(1).uppercased() + stem.dropFirst()
    }

    static func firstLabel(_ domain: String) -> String {
        String(domain.split(separator: ".").first ?? Substring(domain))
    }
}
