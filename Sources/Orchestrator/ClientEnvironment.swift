import FabnetConfig
import FabnetCrypto
import Foundation

/// What a client acting as one identity of a peer org needs to reach a network `fabnet up`
/// started: Fabric's `peer` CLI settings (`CORE_PEER_*`, `ORDERER_*` as test-network's scripts
/// set them) and what a fabric-gateway application is given (`FABNET_*`). `fabnet env` prints it.
///
/// Guarantees (when made by `resolve`): every path is absolute and names a file or folder that
/// exists (the connection profile excepted: `nil` when `up` wrote none, as fabnets before
/// profiles did not); the peer is one of the org's, at its gRPC port from `network.json`; the
/// certificate and key are the identity's enrollment pair (`msp/signcerts`, `msp/keystore`).
public struct ClientEnvironment: Codable, Sendable, Equatable {
    /// The org as its connection profile names it (`Org1`).
    public var organization: String
    public var mspID: String
    /// The identity's name (`User1@org1.example.com`).
    public var user: String
    public var mspConfigPath: String
    public var certPath: String
    public var keyPath: String
    /// The peer to talk to (`peer0.org1.example.com`): the TLS server name to expect.
    public var peer: String
    /// `localhost:<gRPC port>`.
    public var peerAddress: String
    /// The org's TLS CA certificate: what the peer's TLS certificate chains to.
    public var tlsRootCert: String
    public var connectionProfile: String?
    public var orderer: String?
    public var ordererAddress: String?
    public var ordererCA: String?

    /// Which identity of the org: a user by name (`User1`, `User1@org1.example.com`; `nil` is the
    /// org's first client user, User1) or its admin.
    public enum Identity: Sendable, Equatable {
        case user(String?)
        case admin
    }

    /// The variables to export, in the order printed.
    public var variables: [(name: String, value: String)] {
        var list: [(String, String)] = [
            ("CORE_PEER_TLS_ENABLED", "true"),
            ("CORE_PEER_LOCALMSPID", mspID),
            ("CORE_PEER_TLS_ROOTCERT_FILE", tlsRootCert),
            ("CORE_PEER_MSPCONFIGPATH", mspConfigPath),
            ("CORE_PEER_ADDRESS", peerAddress),
        ]
        if let ordererAddress { list.append(("ORDERER_ADDRESS", ordererAddress)) }
        if let ordererCA { list.append(("ORDERER_CA", ordererCA)) }
        if let orderer { list.append(("FABNET_ORDERER_HOST_ALIAS", orderer)) }
        list += [
            ("FABNET_MSP_ID", mspID),
            ("FABNET_GATEWAY_ENDPOINT", peerAddress),
            ("FABNET_GATEWAY_HOST_ALIAS", peer),
            ("FABNET_TLS_ROOT_CERT", tlsRootCert),
            ("FABNET_CERT_PATH", certPath),
            ("FABNET_KEY_PATH", keyPath),
        ]
        if let connectionProfile { list.append(("FABNET_CONNECTION_PROFILE", connectionProfile)) }
        return list
    }

    /// The environment of `identity` of the org named `query` (see `OrganizationLookup`) talking
    /// to `peer` (its name or short name, e.g. `peer1` or `peer1.org1`; default the org's first
    /// peer), for the network `manifest` of `state` records. Errors say which name or file was
    /// wrong and list what there is.
    public static func resolve(_ query: String, identity: Identity, peer peerQuery: String?, spec: NetworkSpec,
                               manifest: NetworkState.Manifest, state: NetworkState) throws -> ClientEnvironment {
        let place = state.directory.path
        let org = try OrganizationLookup(spec: spec).find(query, in: place)
        let withPeers = spec.organizations.filter { !$0.peers.isEmpty }.map(\.mspID).joined(separator: ", ")
        guard !org.peers.isEmpty else {
            throw OrchestratorError.state("\(org.mspID) runs no peers, so a client of it has no peer to talk to; name an org with peers: \(withPeers)")
        }
        let peers = org.peers.compactMap { peer in manifest.nodes.first { $0.name == peer.commonName && $0.grpcPort != nil } }
        guard !peers.isEmpty else {
            throw OrchestratorError.state("\(org.mspID) has no peers with a gRPC port in \(state.manifestFile.path); run `fabnet down --clean` and `fabnet up`")
        }
        let node = try choosePeer(peerQuery, among: peers, of: org)
        let user = try chooseUser(identity, of: org)
        let layout = CryptoLayout(root: URL(fileURLWithPath: manifest.cryptoDirectory).absoluteURL)
        let msp = layout.userDirectory(user, in: org).appendingPathComponent("msp")
        let certificate = try firstFile(in: msp.appendingPathComponent("signcerts"), suffix: ".pem", of: user)
        let key = try firstFile(in: msp.appendingPathComponent("keystore"), suffix: "", of: user)
        let tlsRoot = try existing(layout.tlsCADirectory(org).appendingPathComponent(layout.tlsCACertificateName(org)), what: "\(org.mspID)'s TLS CA certificate")
        let stem = ProfileNaming(spec: spec).fileStem(of: org)
        let profile = ConnectionProfiles(state: NetworkState(directory: state.directory.absoluteURL)).file(stem: stem, extension: "json")
        var environment = ClientEnvironment(
            organization: ProfileNaming(spec: spec).organizationKey(of: org), mspID: org.mspID, user: user.commonName,
            mspConfigPath: path(msp), certPath: path(certificate), keyPath: path(key), peer: node.host,
            peerAddress: "localhost:\(node.grpcPort!)", tlsRootCert: path(tlsRoot),
            connectionProfile: FileManager.default.fileExists(atPath: profile.path) ? path(profile) : nil)
        if let orderer = manifest.nodes.first(where: { $0.role == "orderer" }), let grpcPort = orderer.grpcPort,
           let ordererOrg = spec.organizations.first(where: { $0.orderers.contains { $0.commonName == orderer.name } }) {
            let ca = layout.tlsCADirectory(ordererOrg).appendingPathComponent(layout.tlsCACertificateName(ordererOrg))
            environment.orderer = orderer.host
            environment.ordererAddress = "localhost:\(grpcPort)"
            environment.ordererCA = try path(existing(ca, what: "the orderer org's TLS CA certificate"))
        }
        return environment
    }

    static func choosePeer(_ query: String?, among peers: [NetworkState.Node], of org: OrganizationSpec) throws -> NetworkState.Node {
        guard let query else { return peers[0] }
        let wanted = query.lowercased()
        let matches = peers.filter { $0.name.lowercased() == wanted || $0.name.lowercased().hasPrefix(wanted + ".") }
        guard matches.count == 1 else {
            throw OrchestratorError.state("\(org.mspID) has no peer \(query); its peers are: \(peers.map(\.name).joined(separator: ", "))")
        }
        return matches[0]
    }

    static func chooseUser(_ identity: Identity, of org: OrganizationSpec) throws -> UserSpec {
        let names = org.users.map(\.name).joined(separator: ", ")
        switch identity {
        case .admin:
            guard let admin = org.users.first(where: { $0.role == .admin }) else {
                throw OrchestratorError.state("\(org.mspID) has no admin in the description (users: \(names))")
            }
            return admin
        case .user(nil):
            guard let user = org.users.first(where: { $0.role == .client }) else {
                throw OrchestratorError.state("\(org.mspID) has no client users (users: \(names)); pass --admin, or give the org Users: 1 in the description")
            }
            return user
        case .user(let name?):
            let wanted = name.lowercased()
            guard let user = org.users.first(where: { $0.name.lowercased() == wanted || $0.commonName.lowercased() == wanted }) else {
                throw OrchestratorError.state("\(org.mspID) has no user \(name); its users are: \(names)")
            }
            return user
        }
    }

    static func existing(_ file: URL, what: String) throws -> URL {
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw OrchestratorError.state("\(what) \(file.path) is missing; restore the crypto material, or start afresh with `fabnet down --clean` and `fabnet up`")
        }
        return file
    }

    /// The first file (by name) in `folder` whose name ends with `suffix`.
    static func firstFile(in folder: URL, suffix: String, of user: UserSpec) throws -> URL {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        guard let name = names.filter({ $0.hasSuffix(suffix) && !$0.hasPrefix(".") }).sorted().first else {
            throw OrchestratorError.state("\(user.commonName) has no file in \(folder.path); restore the crypto material, or start afresh with `fabnet down --clean` and `fabnet up`")
        }
        return folder.appendingPathComponent(name)
    }

    static func path(_ url: URL) -> String { url.absoluteURL.standardizedFileURL.path }
}
