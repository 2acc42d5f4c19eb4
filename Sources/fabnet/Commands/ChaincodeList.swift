import ArgumentParser
import FabnetClient
import FabnetCrypto
import FabnetWire
import Foundation
import Orchestrator

/// `fabnet chaincode list`: the chaincodes defined on a channel, as each peer sees them.
struct ChaincodeList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the chaincodes defined on a channel: name, version, sequence, policy, and per peer the server it reaches (or \"dials in\").",
        discussion: """
        Asks every running peer of the channel (or the one --peer names) what its ledger holds.

        Examples:
          fabnet chaincode list -c mychannel
          fabnet chaincode list -c mychannel --peer peer0.org1 --json
        """
    )

    @Option(name: [.customShort("c"), .customLong("channel")], help: "The channel.")
    var channel: String

    @Option(help: ArgumentHelp("Ask only this peer (its name or the start of it).", valueName: "PEER"))
    var peer: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    @OptionGroup var network: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    struct Row: Encodable {
        let peer: String
        let name: String
        let version: String
        let sequence: UInt64
        let policy: String
        let definedAtBlock: UInt64
        let address: String?
        /// The peer's connection to it: ready, connecting, unavailable: why, idle, waiting for registration.
        let state: String
    }

    func run() async throws {
        try await Console.reportingErrors {
            let (manifest, clients, channelSpec) = try ChaincodeTarget.load(channel: channel, network: network, state: stateOptions)
            let peers: [NetworkState.Node]
            if let peer {
                peers = [try NodeControl(state: stateOptions.network, executable: UpCommand.executable()).node(peer, in: manifest)]
            } else {
                peers = clients.peers.filter { channelSpec.memberOrgs.contains($0.mspID) && stateOptions.network.isRunning($0) }
            }
            var rows: [Row] = []
            for node in peers {
                for status in try await ChaincodeDeployment(clients: clients, state: stateOptions.network).chaincodes(on: node, channel: channel) {
                    rows.append(Row(peer: node.name, name: status.definition.name, version: status.definition.version,
                                    sequence: status.definition.sequence, policy: status.definition.policyText,
                                    definedAtBlock: status.definedAtBlock, address: status.hasConnection ? (status.connection.address.isEmpty ? "dials in" : status.connection.address) : nil,
                                    state: status.state))
                }
            }
            if json {
                print(try Console.json(rows))
                return
            }
            guard !rows.isEmpty else {
                print("no chaincode is defined on \(channel) (define one with `fabnet chaincode deploy NAME -c \(channel)`, with --address HOST:PORT for a chaincode server)")
                return
            }
            print(Console.table([["NAME", "VERSION", "SEQ", "POLICY", "BLOCK", "PEER", "SERVER", "STATE"]] + rows.map {
                [$0.name, $0.version, "\($0.sequence)", $0.policy, "\($0.definedAtBlock)", $0.peer, $0.address ?? "-", $0.state]
            }))
        }
    }
}
