import ArgumentParser
import FabnetConfig
import FabnetWire
import Foundation
import Orchestrator

/// `fabnet status`: each node with its process, ports, heights per channel and leadership, in
/// `ps`-style columns or as JSON; exit code 3 when a node is down (for scripts and CI).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each node: up or down, pid, ports, heights per channel and leadership; exit 3 if a node is down.",
        discussion: """
        STATE is up, down, paused (`fabnet fault pause`), or not-answering (the process runs but its admin request failed: \
        hung, or its crypto material is gone). \
        PORTS are gRPC (Fabric's services), fabnet's framing (gossip) and the operations \
        endpoint (/healthz, /metrics). HEIGHTS are the node's ledger heights per channel (the \
        orderer's too); LEADER the channels where the peer is its org's leader.

        Exit codes: 0 every node is up and answers, 3 a node is down or not answering, 1 no \
        network or another error.

        Examples:
          fabnet status
          fabnet status --json | jq '.nodes[] | {name, state, heights}'
          FABNET_STATE=/tmp/net fabnet status || echo "a node is down"
        """
    )

    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    @Flag(help: "Print the status as JSON: {version, state, nodes: [...]}.")
    var json = false

    /// The exit code when a node is down (or, for `status`, not answering).
    static let nodeDownExitCode: Int32 = 3

    func run() async throws {
        let report = try await Console.reportingErrors {
            let manifest = try stateOptions.manifest()
            let spec = try description.load(for: manifest).spec
            let clients = NodeClients(spec: spec, layout: .init(root: URL(fileURLWithPath: manifest.cryptoDirectory)), manifest: manifest)
            return await NetworkStatus.collect(manifest: manifest, state: stateOptions.network, clients: clients)
        }
        if json {
            print(try Console.json(report))
        } else {
            print(Console.table([["NAME", "ROLE", "ORG", "STATE", "PID", "PORTS (GRPC/GOSSIP/OPS)", "HEIGHTS", "LEADER"]] + report.nodes.map { node in
                [node.name, node.role, node.mspID, node.state, node.pid.map(String.init) ?? "-",
                 "\(node.ports.grpc.map(String.init) ?? "-")/\(node.ports.framing)/\(node.ports.operations)",
                 node.heights.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                 node.leaderOf.joined(separator: " ")]
            }))
            if let faults = report.faults {
                print("faults (fabnet fault list; fabnet fault heal ends them):")
                for line in faults.summary { print("  \(line)") }
            }
        }
        if report.nodes.contains(where: { $0.state != "up" }) { throw ExitCode(Self.nodeDownExitCode) }
    }
}

/// What `fabnet status` reports: the network in one state folder, node by node.
///
/// Guarantees: every node of `network.json` appears, in its order; a node that is up but does
/// not answer its admin request is `not-answering` with no heights (never left out).
struct NetworkStatus: Encodable {
    /// fabnet's version (the format of this report follows it).
    let version: String
    /// The state folder.
    let state: String
    let nodes: [Node]
    /// The faults `fabnet fault` put in force (absent: none).
    let faults: FaultRecord?

    /// A node's ports, each named by what it serves.
    struct Ports: Encodable {
        /// Fabric's gRPC services (AtomicBroadcast, Deliver, Gateway, …).
        let grpc: Int?
        /// fabnet's framing: gossip and fabnet's own commands.
        let framing: Int
        /// The operations endpoint: /healthz, /metrics, /logspec.
        let operations: Int
    }

    /// One node's row: its process and, when it answered, its channels.
    struct Node: Encodable {
        let name: String
        let role: String
        let mspID: String
        /// `up`, `down`, `paused` (`fabnet fault pause`) or `not-answering`.
        let state: String
        let up: Bool
        let pid: Int32?
        let ports: Ports
        let operationsPort: Int
        /// Ledger height per channel.
        var heights: [String: UInt64] = [:]
        /// Channels where this peer is its org's leader.
        var leaderOf: [String] = []
        var aliveMembers: Int?
        var deadMembers: Int?
    }

    static func collect(manifest: NetworkState.Manifest, state: NetworkState, clients: NodeClients) async -> NetworkStatus {
        let faults = (try? FaultRecord.load(state)) ?? FaultRecord()
        // All nodes at once: one by one, a network of 100 peers took seconds.
        let collected = await withTaskGroup(of: (Int, Node).self) { group in
            for (index, node) in manifest.nodes.enumerated() {
                let paused = faults.paused.contains(node.name)
                group.addTask { (index, await Self.node(node, up: state.isRunning(node), paused: paused, clients: clients)) }
            }
            var nodes: [Int: Node] = [:]
            for await (index, node) in group { nodes[index] = node }
            return nodes
        }
        return NetworkStatus(version: FabnetVersion.current, state: state.directory.path,
                             nodes: manifest.nodes.indices.compactMap { collected[$0] }, faults: faults.isEmpty ? nil : faults)
    }

    static func node(_ node: NetworkState.Node, up: Bool, paused: Bool = false, clients: NodeClients) async -> Node {
        var row = Node(name: node.name, role: node.role, mspID: node.mspID, state: up ? (paused ? "paused" : "up") : "down", up: up,
                       pid: up ? node.pid : nil,
                       ports: Ports(grpc: node.grpcPort, framing: node.port, operations: node.operationsPort), operationsPort: node.operationsPort)
        guard up, !paused else { return row }  // a paused node cannot answer: not asked
        do {
            if node.role == "peer" {
                let status = try await clients.status(of: node)
                for channel in status.peerChannels {
                    row.heights[channel.name] = channel.height
                    if channel.leader { row.leaderOf.append(channel.name) }
                }
                row.leaderOf.sort()
                let alive = status.members.filter(\.alive).count
                row.aliveMembers = alive
                row.deadMembers = status.members.count - alive
            } else {
                let response = try await clients.client(of: node).admin(.listChannels(WireListChannels()))
                for channel in response.channels { row.heights[channel.name] = channel.height }
            }
        } catch {
            row = Node(name: row.name, role: row.role, mspID: row.mspID, state: "not-answering", up: true, pid: row.pid,
                       ports: row.ports, operationsPort: row.operationsPort)
        }
        return row
    }
}
