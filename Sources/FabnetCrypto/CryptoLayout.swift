import FabnetConfig
import Foundation

/// Where cryptogen puts each file, so fabnet's output is a drop-in for tools that expect
/// `crypto-config/` (see the README's crypto section for the tree).
public struct CryptoLayout: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// `<root>/peerOrganizations/<domain>` or `<root>/ordererOrganizations/<domain>`.
    public func organizationDirectory(_ org: OrganizationSpec) -> URL {
        root.appendingPathComponent(org.role == .peer ? "peerOrganizations" : "ordererOrganizations")
            .appendingPathComponent(org.domain)
    }

    public func caDirectory(_ org: OrganizationSpec) -> URL { organizationDirectory(org).appendingPathComponent("ca") }
    public func tlsCADirectory(_ org: OrganizationSpec) -> URL { organizationDirectory(org).appendingPathComponent("tlsca") }
    public func caCertificateName(_ org: OrganizationSpec) -> String { "\(org.caHostname).\(org.domain)-cert.pem" }
    public func tlsCACertificateName(_ org: OrganizationSpec) -> String { "tlsca.\(org.domain)-cert.pem" }
    public func organizationMSPDirectory(_ org: OrganizationSpec) -> URL { organizationDirectory(org).appendingPathComponent("msp") }

    /// `peers/<CN>` or `orderers/<CN>`.
    public func nodeDirectory(_ node: NodeSpec, in org: OrganizationSpec) -> URL {
        organizationDirectory(org).appendingPathComponent(node.role == .peer ? "peers" : "orderers")
            .appendingPathComponent(node.commonName)
    }

    /// `users/<Name>@<domain>`.
    public func userDirectory(_ user: UserSpec, in org: OrganizationSpec) -> URL {
        organizationDirectory(org).appendingPathComponent("users").appendingPathComponent(user.commonName)
    }

    /// The TLS file names inside an identity's `tls/`: `server.*` for nodes, `client.*` for users.
    public static func tlsFileNames(isUser: Bool) -> (certificate: String, key: String) {
        isUser ? ("client.crt", "client.key") : ("server.crt", "server.key")
    }
}
