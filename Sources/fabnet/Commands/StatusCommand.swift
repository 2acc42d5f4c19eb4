import ArgumentParser
import FabnetConfig
import Foundation
import Orchestrator

/// `fabnet status`: each node up or down; per peer its heights, leadership and membership.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each node: up or down, and per peer its channels' heights, leadership and membership size."
    )

    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    @Flag(help: "Print the status as JSON.")
    var json = false

    struct Row: Encodable {
        let name: String
        let role: String
        let mspID: String
        let port: Int
        let pid: Int32?
        let up: Bool
        var channels: [String: UInt64] = [:]
        var leaderOf: [String] = []
        var aliveMembers = 0
        var deadMembers = 0
    }

    func run() async throws {
        try await Console.reportingErrors {
            let network = stateOptions.network
            let manifest = try stateOptions.manifest()
            let spec = try description.load(for: manifest).spec
            let clients = NodeClients(spec: spec, layout: .init(root: URL(fileURLWithPath: manifest.cryptoDirectory)), manifest: manifest)
            var rows: [Row] = []
            for node in manifest.nodes {
                var row = Row(name: node.name, role: node.role, mspID: node.mspID, port: node.port, pid: node.pid, up: network.isRunning(node))
                if row.up, node.role == "peer", let status = try? await clients.status(of: node) {
                    for channel in status.peerChannels {
                        row.channels[channel.name] = channel.height
                        if channel.leader { row.leaderOf.append(channel.name) }
                    }
                    row.aliveMembers = status.members.filter(\.alive).count
                    row.deadMembers = status.members.count - row.aliveMembers
                }
                rows.append(row)
            }
            if json {
                print(try Console.json(rows))
                return
            }
            print(Console.table([["NODE", "ROLE", "ORG", "STATE", "HEIGHTS", "LEADER OF", "MEMBERS"]] + rows.map { row in
                [row.name, row.role, row.mspID, row.up ? "up" : "down",
                 row.channels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                 row.leaderOf.joined(separator: " "),
                 row.role == "peer" && row.up ? "\(row.aliveMembers) alive, \(row.deadMembers) dead" : ""]
            }))
        }
    }
}
