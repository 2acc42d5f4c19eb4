import ArgumentParser
import FabnetConfig
import FabnetCrypto
import Foundation
import OrdererNode
import Orchestrator
import Transport

/// Flags of commands that talk to a running orderer as one of the network's identities.
struct ClientOptions: ParsableArguments {
    @OptionGroup var network: NetworkOptions

    @Option(help: ArgumentHelp("Where the crypto material is (as written by `fabnet crypto generate`).", valueName: "DIR"))
    var crypto = "crypto-config"

    @Option(name: .customLong("as"), help: ArgumentHelp("The identity to act as, MSPID/Name (e.g. Org1MSP/User1, OrdererMSP/Admin).", valueName: "MSP/NAME"))
    var identity: String?

    @Option(help: ArgumentHelp("The orderer's address. Default: the orderer of the network `fabnet up` runs from --state, else 127.0.0.1 and the first orderer's port in the description.", valueName: "HOST:PORT"))
    var orderer: String?

    @Option(help: ArgumentHelp("The state folder of a network started with `fabnet up` (its orderer's port is used).", valueName: "DIR"))
    var state = ".fabnet"

    /// The default identity of client commands: the first application org's first client (User1).
    static func firstApplicationClient(_ spec: NetworkSpec) -> (org: OrganizationSpec, user: UserSpec)? {
        guard let org = spec.organizations.first(where: { !$0.peers.isEmpty }),
              let user = org.users.first(where: { $0.role == .client }) ?? org.users.first else { return nil }
        return (org, user)
    }

    /// An orderer client acting as `--as`, or as `fallback(spec)` when it is not given.
    func client(fallback: (NetworkSpec) -> (org: OrganizationSpec, user: UserSpec)?) throws -> (client: OrdererClient, spec: NetworkSpec, layout: CryptoLayout) {
        let spec = try network.load().spec
        let layout = CryptoLayout(root: URL(fileURLWithPath: crypto))
        let (org, user) = try resolveIdentity(spec, fallback: fallback)
        let credentials = try NodeClients.credentials(of: user, in: org, spec: spec, layout: layout)
        guard let node = spec.orderers.first else { throw ValidationError("the description has no orderer") }
        var host = "127.0.0.1", port = node.port
        let network = NetworkState(directory: URL(fileURLWithPath: state))
        if let running = (try? network.load())?.nodes.first(where: { $0.role == "orderer" && network.isRunning($0) }) {
            port = running.port
        }
        if let orderer {
            let parts = orderer.split(separator: ":")
            guard parts.count == 2, let parsed = Int(parts[1]) else { throw ValidationError("--orderer must be HOST:PORT, got \(orderer)") }
            host = String(parts[0])
            port = parsed
        }
        let client = OrdererClient(transport: Transport(credentials: credentials), host: host, port: port, serverHostname: node.commonName)
        return (client, spec, layout)
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
