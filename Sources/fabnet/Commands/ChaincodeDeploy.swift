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
        abstract: "Define chaincode NAME on a channel (name, version, endorsement policy) and connect every peer of the channel to it.",
        discussion: """
        The definition is committed on the channel as a transaction of the first member org's \
        Admin in fabnet's lifecycle namespace, so every peer, also one that is down now or \
        joins later, reads it from its ledger; each deploy of a name counts up its sequence. \
        Then every running peer of the channel's orgs keeps how it reaches the chaincode in its home.

        With --address, the chaincode runs as a service (Fabric's chaincode as a service): the \
        peers dial its server; start it with CHAINCODE_SERVER_ADDRESS=HOST:PORT and \
        CHAINCODE_ID=NAME (or --id). With --tls-root the peers dial over TLS and present their \
        own TLS certificates, so a server that requires client certificates (the orgs' TLS CAs) \
        accepts them.

        Without --address, the chaincode dials the peers (protos.ChaincodeSupport/Register on \
        each peer's gRPC port, the Go, Node and Java shims' default and Fabric's development \
        mode: run it in your debugger). Start it once per peer that should run it, with \
        CORE_PEER_ADDRESS=<the peer's gRPC address, printed here> and CORE_CHAINCODE_ID_NAME=NAME \
        (or NAME:VERSION, or --id), TLS on (CORE_PEER_TLS_ENABLED=true, \
        CORE_PEER_TLS_ROOTCERT_FILE=the peer org's tlsca/*.pem). Until it registers, proposals \
        to that peer fail at once saying so; a newer registration replaces an older one.

        Examples:
          fabnet chaincode deploy basic --address 127.0.0.1:9999 -c mychannel
          fabnet chaincode deploy basic --address 127.0.0.1:9999 -c mychannel --version 2.0 \\
            --policy "AND('Org1MSP.peer','Org2MSP.peer')"
          fabnet chaincode deploy basic -c mychannel     # it dials in, e.g.:
          CA=crypto-config/peerOrganizations/org1.example.com/tlsca
          CORE_PEER_TLS_ENABLED=true \\
            CORE_PEER_TLS_ROOTCERT_FILE=$CA/tlsca.org1.example.com-cert.pem \\
            CORE_PEER_ADDRESS=127.0.0.1:7051 CORE_CHAINCODE_ID_NAME=basic go run .
        """
    )

    @Argument(help: "The chaincode's name (its namespace in the world state).")
    var name: String

    @Option(help: ArgumentHelp("Where the chaincode server listens (the peers dial it). Without it, the chaincode dials the peers.", valueName: "HOST:PORT"))
    var address: String?

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
        guard let address else {
            if tlsRoot != nil {
                throw ValidationError("--tls-root needs --address: without --address the chaincode dials the peers, and the peers' TLS is their own")
            }
            return
        }
        guard address.split(separator: ":").count == 2, let port = Int(address.split(separator: ":")[1]), (1...65_535).contains(port) else {
            throw ValidationError("--address must be HOST:PORT, got \(address)")
        }
    }

    func run() async throws {
        try await Console.reportingErrors {
            let (_, clients, channelSpec) = try ChaincodeTarget.load(channel: channel, network: network, state: stateOptions)
            let tlsRootPEM = try tlsRoot.map { path in
                guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("--tls-root \(path): cannot read the file") }
                return data
            }
            let result = try await ChaincodeDeployment(clients: clients, state: stateOptions.network).deploy(
                name: name, address: address ?? "", channel: channelSpec, version: version, policy: policy, id: id, tlsRootPEM: tlsRootPEM,
                timeout: timeout)
            if json {
                print(try Console.json(result))
            } else {
                print("\(name) \(version) (sequence \(result.sequence)) defined on \(channel) in tx \(result.txID), endorsement policy \(result.policy)")
                if let address {
                    print("\(result.peers.count) peer(s) reach it at \(address)\(tlsRootPEM == nil ? "" : " over TLS"): \(result.peers.joined(separator: ", "))")
                } else {
                    print("\(result.peers.count) peer(s) wait for \(name) to dial in; start it once per peer with")
                    print("  CORE_CHAINCODE_ID_NAME=\(id ?? name) CORE_PEER_TLS_ENABLED=true CORE_PEER_TLS_ROOTCERT_FILE=<the peer org's tlsca/*.pem> CORE_PEER_ADDRESS=<the peer's address>:")
                    print(Console.table(result.peers.map { ["  \($0)", result.registerAt[$0] ?? "(no gRPC port)"] }))
                }
            }
        }
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


