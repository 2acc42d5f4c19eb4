import ArgumentParser
import FabnetClient
import FabnetConfig
import FabnetCrypto
import FabnetWire
import Foundation
import Orchestrator

/// `fabnet chaincode deploy`: commits a chaincode's definition on a channel and tells every peer
/// of the channel where its server listens.
struct ChaincodeDeploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Define chaincode NAME on a channel (name, version, endorsement policy) and connect every peer of the channel to its server.",
        discussion: """
        The definition is committed on the channel as a transaction of the first member org's \
        Admin in fabnet's lifecycle namespace, so every peer, also one that is down now or \
        joins later, reads it from its ledger; each deploy of a name counts up its sequence. \
        Then every running peer of the channel's orgs keeps the server's address (and TLS root) \
        in its home. The chaincode server runs as a service (Fabric's chaincode as a service): \
        start it with CHAINCODE_SERVER_ADDRESS=HOST:PORT and CHAINCODE_ID=NAME (or --id).

        Examples:
          fabnet chaincode deploy basic --address 127.0.0.1:9999 -c mychannel
          fabnet chaincode deploy basic --address 127.0.0.1:9999 -c mychannel --version 2.0 \\
            --policy "AND('Org1MSP.peer','Org2MSP.peer')"
        """
    )

    @Argument(help: "The chaincode's name (its namespace in the world state).")
    var name: String

    @Option(help: ArgumentHelp("Where the chaincode server listens.", valueName: "HOST:PORT"))
    var address: String

    @Option(name: [.customShort("c"), .customLong("channel")], help: "The channel.")
    var channel: String

    @Option(help: "The definition's version.")
    var version = "1.0"

    @Option(help: ArgumentHelp("The endorsement policy: a rule (\"AND('Org1MSP.peer','Org2MSP.peer')\") or a channel policy path. Default: \(ChaincodeLifecycle.defaultPolicy).", valueName: "EXPR"))
    var policy: String?

    @Option(help: ArgumentHelp("The ID the server registers with (its CHAINCODE_ID). Default: NAME.", valueName: "ID"))
    var id: String?

    @Option(name: .customLong("tls-root"), help: ArgumentHelp("PEM of the CA of the server's TLS certificate (the peers dial it over TLS). Default: plaintext.", valueName: "FILE"))
    var tlsRoot: String?

    @Option(help: "Give up waiting for the definition on the peers after this many seconds.")
    var timeout: Double = 30

    @Flag(help: "Print the result as JSON.")
    var json = false

    @OptionGroup var network: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    func validate() throws {
        guard address.split(separator: ":").count == 2, let port = Int(address.split(separator: ":")[1]), (1...65_535).contains(port) else {
            throw ValidationError("--address must be HOST:PORT, got \(address)")
        }
    }

    func run() async throws {
        try await Console.reportingErrors {
            let (_, clients, channelSpec) = try ChaincodeTarget.load(channel: channel, network: network, state: stateOptions)
            guard let orderer = clients.orderer, stateOptions.network.isRunning(orderer) else {
                throw ValidationError("the orderer is down: fabnet start orderer\(stateFlag)")
            }
            let peers = clients.peers.filter { channelSpec.memberOrgs.contains($0.mspID) && stateOptions.network.isRunning($0) }
            guard let reader = peers.first else { throw ValidationError("no peer of \(channel) runs: fabnet up\(stateFlag)") }
            let tlsRootPEM = try tlsRoot.map { path in
                guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("--tls-root \(path): cannot read the file") }
                return data
            }

            // The next sequence of this name, from a peer's world state.
            let listed = try await listChaincodes(of: reader, clients: clients, channel: channel)
            let sequence = (listed.first { $0.definition.name == name }?.definition.sequence ?? 0) + 1
            let definition = try ChaincodeLifecycle.definition(name: name, version: version, sequence: sequence, policy: policy)

            // Committed as the first member org's Admin.
            let admin = try clients.client(of: orderer, as: channelSpec.memberOrgs[0], role: .admin)
            let (envelope, txID) = try ChaincodeLifecycle.transaction(definition, channel: channel, admin: admin.signer)
            guard let answer = try await admin.broadcast([envelope]).first, answer.status == .success else {
                throw ValidationError("the orderer refused the definition of \(name): the connection ended or it answered with an error")
            }
            try await eventually(seconds: timeout, "the definition of \(name) (sequence \(sequence)) on \(reader.name)") {
                try await listChaincodes(of: reader, clients: clients, channel: channel).contains { $0.definition.name == name && $0.definition.sequence == sequence }
            }

            // Every running peer of the channel keeps where the server is.
            var connection = WireChaincodeConnection()
            connection.channel = channel
            connection.name = name
            connection.address = address
            connection.chaincodeID = id ?? name
            if let tlsRootPEM { connection.tlsRootCertificate = tlsRootPEM }
            var request = WireConnectChaincode()
            request.connection = connection
            for peer in peers {
                let response = try await clients.client(of: peer).admin(.connectChaincode(request))
                guard response.status == .success else { throw ValidationError("\(peer.name) refused the connection to \(name): \(response.info)") }
            }
            if json {
                print(try Console.json(DeployReport(name: name, version: version, sequence: sequence, policy: definition.policyText,
                                                    channel: channel, txID: txID, address: address, peers: peers.map(\.name))))
            } else {
                print("\(name) \(version) (sequence \(sequence)) defined on \(channel) in tx \(txID), endorsement policy \(definition.policyText)")
                print("\(peers.count) peer(s) reach it at \(address)\(tlsRootPEM == nil ? "" : " over TLS"): \(peers.map(\.name).joined(separator: ", "))")
            }
        }
    }

    var stateFlag: String { stateOptions.state == ".fabnet" ? "" : " --state \(stateOptions.state)" }

    struct DeployReport: Encodable {
        let name: String
        let version: String
        let sequence: UInt64
        let policy: String
        let channel: String
        let txID: String
        let address: String
        let peers: [String]
    }
}

/// What the chaincode commands work on: the running network's manifest, clients of its nodes,
/// and the channel's description (an unknown channel is an error naming the known ones).
enum ChaincodeTarget {
    static func load(channel: String, network: NetworkOptions, state: StateOptions) throws -> (NetworkState.Manifest, NodeClients, ChannelSpec) {
        let manifest = try state.manifest()
        let spec = try network.load(for: manifest).spec
        let clients = NodeClients(spec: spec, layout: CryptoLayout(root: URL(fileURLWithPath: manifest.cryptoDirectory)), manifest: manifest)
        guard let channelSpec = spec.channels.first(where: { $0.name == channel }) else {
            throw ValidationError("no channel \(channel) in the description (channels: \(spec.channels.map(\.name).joined(separator: ", ")))")
        }
        return (manifest, clients, channelSpec)
    }
}

/// The chaincodes `peer` sees on a channel (as its org's Admin).
func listChaincodes(of peer: NetworkState.Node, clients: NodeClients, channel: String? = nil) async throws -> [WireChaincodeStatus] {
    var request = WireListChaincodes()
    request.channel = channel ?? ""
    let response = try await clients.client(of: peer).admin(.listChaincodes(request))
    guard response.status == .success else { throw ValidationError("\(peer.name): \(response.info)") }
    return response.chaincodes
}
