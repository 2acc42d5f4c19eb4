import ArgumentParser
import FabnetConfig
import FabnetClient
import FabnetCrypto
import Foundation
import Orchestrator
import Transport

/// Flags of commands that talk to a running orderer as one of the network's identities.
///
/// Guarantees: without `--orderer`, the orderer, its port and the crypto material are only
/// what `fabnet up` recorded in the state folder: a network that is not there, or whose orderer
/// is down, is an error that says what to run; never a guess at the description's ports (with
/// two networks, a guess could write into the other one).
struct ClientOptions: ParsableArguments {
    @OptionGroup var network: NetworkOptions

    @Option(help: ArgumentHelp("With --orderer: where the crypto material is (default crypto-config). A network `fabnet up` started uses the material it recorded.", valueName: "DIR"))
    var crypto: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("The identity to act as, MSPID/Name (e.g. Org1MSP/User1, OrdererMSP/Admin).", valueName: "MSP/NAME"))
    var identity: String?

    @Option(help: ArgumentHelp("An orderer `fabnet up` did not start (e.g. `fabnet orderer start`). Default: the orderer of the network in --state.", valueName: "HOST:PORT"))
    var orderer: String?

    @Option(help: ArgumentHelp("The state folder of a network started with `fabnet up` ($FABNET_STATE when set).", valueName: "DIR"))
    var state = NetworkState.defaultDirectoryPath

    func validate() throws {
        if crypto != nil, orderer == nil {
            throw ValidationError("--crypto goes with --orderer; a network `fabnet up` started is reached with the crypto material recorded in \(state)/")
        }
    }

    /// The default identity of client commands: the first application org's first client (User1).
    static func firstApplicationClient(_ spec: NetworkSpec) -> (org: OrganizationSpec, user: UserSpec)? {
        guard let org = spec.organizations.first(where: { !$0.peers.isEmpty }),
              let user = org.users.first(where: { $0.role == .client }) ?? org.users.first else { return nil }
        return (org, user)
    }

    /// Where the orderer is and what describes its network.
    struct Target {
        var spec: NetworkSpec
        var layout: CryptoLayout
        var host: String
        var port: Int
        /// The name the orderer's TLS certificate carries.
        var serverHostname: String
    }

    /// The orderer to talk to: `--orderer`, else the running orderer recorded in `--state`.
    func target() throws -> Target {
        if let orderer {
            let parts = orderer.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]), (1...65_535).contains(port) else {
                throw ValidationError("--orderer must be HOST:PORT, got \(orderer)")
            }
            let spec = try network.load().spec
            guard let node = spec.orderers.first else { throw ValidationError("the description has no orderer") }
            return Target(spec: spec, layout: CryptoLayout(root: URL(fileURLWithPath: crypto ?? "crypto-config")),
                          host: String(parts[0]), port: port, serverHostname: node.commonName)
        }
        let networkState = NetworkState(directory: URL(fileURLWithPath: state))
        guard let manifest = try networkState.load() else {
            throw ValidationError("no network in \(state)/ (start one with `fabnet up`\(stateFlag))")
        }
        guard let node = manifest.nodes.first(where: { $0.role == "orderer" }) else {
            throw ValidationError("the network in \(state)/ has no orderer")
        }
        guard networkState.isRunning(node) else {
            throw ValidationError("\(node.name) is down: fabnet start \(node.name)\(stateFlag)")
        }
        let spec = try network.load(for: manifest).spec
        return Target(spec: spec, layout: CryptoLayout(root: URL(fileURLWithPath: manifest.cryptoDirectory)),
                      host: "127.0.0.1", port: node.port, serverHostname: node.host)
    }

    /// ` --state DIR` when it is not the default, for the commands an error suggests.
    var stateFlag: String { NetworkState.stateFlag(for: state) }

    /// An orderer client acting as `--as`, or as `fallback(spec)` when it is not given.
    func client(fallback: (NetworkSpec) -> (org: OrganizationSpec, user: UserSpec)?) throws -> (client: OrdererClient, spec: NetworkSpec, layout: CryptoLayout) {
        let target = try target()
        let (org, user) = try resolveIdentity(target.spec, fallback: fallback)
        let credentials = try NodeClients.credentials(of: user, in: org, spec: target.spec, layout: target.layout)
        let client = OrdererClient(transport: Transport(credentials: credentials), host: target.host, port: target.port,
                                   serverHostname: target.serverHostname)
        return (client, target.spec, target.layout)
    }

    private func resolveIdentity(_ spec: NetworkSpec, fallback: (NetworkSpec) -> (org: OrganizationSpec, user: UserSpec)?) throws -> (OrganizationSpec, UserSpec) {
        guard let identity else {
            guard let chosen = fallback(spec) else { throw ValidationError("no identity to act as; pass --as MSPID/Name") }
            return chosen
        }
        let parts = identity.split(separator: "/").map(String.init)
        guard parts.count == 2, let org = spec.organization(mspID: parts[0]) else {
            throw ValidationError("--as must be MSPID/Name with a known MSP ID (\(spec.organizations.map(\.mspID).joined(separator: ", "))), got \(identity)")
        }
        guard let user = org.users.first(where: { $0.name == parts[1] || $0.commonName == parts[1] }) else {
            throw ValidationError("\(org.mspID) has no user \(parts[1]) (users: \(org.users.map(\.name).joined(separator: ", ")))")
        }
        return (org, user)
    }
}
