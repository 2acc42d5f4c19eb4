import ArgumentParser
import FabnetConfig
import Foundation
import Orchestrator
import Transport

/// `fabnet fault`: faults between a running network's nodes, for testing applications under
/// them; recorded in the state folder until `heal`.
struct FaultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fault",
        abstract: "Pause nodes, partition them, delay or lose their traffic; heal; list.",
        discussion: """
        Faults cut or slow the traffic between fabnet's nodes (gossip, deliver, endorsement, \
        submit) in both directions, inside the nodes' transport: no root needed. Client and \
        chaincode connections are never cut, so your application keeps reaching the nodes it \
        can. Faults are recorded in the state folder (faults.json) and given again to a node that \
        starts again, until `fabnet fault heal`. NODE is a node's name or its start (peer0.org1); \
        ORG an org's MSP ID or name.

        Examples:
          fabnet fault partition Org1MSP Org2MSP,orderer     # Org1 alone; Org2 with the orderer
          fabnet fault delay peer0.org2 50-150
          fabnet fault loss Org2 0.3
          fabnet fault pause peer1.org1
          fabnet fault list
          fabnet fault heal
        """,
        subcommands: [FaultPause.self, FaultResume.self, FaultPartition.self, FaultDelay.self, FaultLoss.self, FaultHeal.self, FaultList.self]
    )
}

/// What every `fault` subcommand shares: the network, its record, and sending the plan.
/// Guarantees: `commit` saves the record before sending it, so a node that misses the plan gets
/// it when it starts again.
struct FaultContext {
    let state: NetworkState
    let manifest: NetworkState.Manifest
    let spec: NetworkSpec
    let clients: NodeClients

    init(description: NetworkOptions, stateOptions: StateOptions) throws {
        state = stateOptions.network
        manifest = try stateOptions.manifest()
        spec = try description.load(for: manifest).spec
        clients = NodeClients(spec: spec, layout: .init(root: URL(fileURLWithPath: manifest.cryptoDirectory)), manifest: manifest)
    }

    /// The node `name` names (its full name or its start).
    func node(_ name: String) throws -> NetworkState.Node {
        try NodeControl(state: state, executable: UpCommand.executable()).node(name, in: manifest)
    }

    /// The nodes `target` names: a node (name or its start), an org (MSP ID or name), or
    /// `orderer` for the orderer.
    func nodes(_ target: String) throws -> [NetworkState.Node] {
        if target == "orderer", let orderer = clients.orderer { return [orderer] }
        if let node = try? node(target) { return [node] }
        let org = try OrganizationLookup(spec: spec).find(target, in: state.directory.path)
        let nodes = manifest.nodes.filter { $0.mspID == org.mspID }
        guard !nodes.isEmpty else { throw ValidationError("\(target) names no node of the network in \(state.directory.path)") }
        return nodes
    }

    /// Changes the delay or loss of every node `target` names and commits the record; a node
    /// left with neither leaves the record.
    func changeNodes(_ target: String, _ change: (inout FaultPlan.NodeFault) -> Void) async throws {
        var record = try FaultRecord.load(state)
        for node in try nodes(target) {
            var fault = record.nodes[node.name] ?? FaultPlan.NodeFault()
            change(&fault)
            record.nodes[node.name] = fault.delayMaximumMilliseconds == 0 && fault.loss == 0 ? nil : fault
        }
        try await commit(record)
    }

    /// Saves `record`, then sends its plan to every running node; says what happened.
    func commit(_ record: FaultRecord) async throws {
        try record.save(state)
        let failed = await record.send(to: manifest.nodes, manifest: manifest, state: state, clients: clients)
        for line in record.summary { print(line) }
        if record.isEmpty { print("no faults") }
        if !failed.isEmpty {
            // Recorded, but not in force everywhere: say so and fail, so a script does not go on
            // testing under faults that are not there.
            Console.error("recorded, but not in force on \(failed.joined(separator: ", ")): a node that does not answer gets it when it starts again (`fabnet restart NODE`), or run this command again")
            throw ExitCode.failure
        }
    }
}

/// `fabnet fault pause NODE`: SIGSTOP, recorded; guarantees the node is recorded paused only
/// once the signal was delivered.
struct FaultPause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Freeze a node's process (SIGSTOP), as a hung machine is.",
        discussion: "Examples:\n  fabnet fault pause peer1.org2\n  fabnet fault resume peer1.org2")
    @Argument(help: "The node (name or its start).") var node: String
    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    func run() async throws {
        try await Console.reportingErrors {
            let context = try FaultContext(description: description, stateOptions: stateOptions)
            let node = try context.node(self.node)
            guard context.state.isRunning(node), let pid = node.pid else { throw ValidationError("\(node.name) is not running; start it with `fabnet start \(node.name)`") }
            var record = try FaultRecord.load(context.state)
            guard kill(pid, SIGSTOP) == 0 else { throw ValidationError("cannot pause \(node.name) (pid \(pid)): \(String(cString: strerror(errno)))") }
            if !record.paused.contains(node.name) { record.paused.append(node.name) }
            try await context.commit(record)
        }
    }
}

/// `fabnet fault resume NODE`: SIGCONT; the node is no longer recorded paused, running or not.
struct FaultResume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a paused node (SIGCONT).",
        discussion: "Examples:\n  fabnet fault resume peer1.org2")
    @Argument(help: "The node (name or its start).") var node: String
    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    func run() async throws {
        try await Console.reportingErrors {
            let context = try FaultContext(description: description, stateOptions: stateOptions)
            let node = try context.node(self.node)
            var record = try FaultRecord.load(context.state)
            if let pid = node.pid, context.state.isRunning(node) { kill(pid, SIGCONT) }
            record.paused.removeAll { $0 == node.name }
            try await context.commit(record)
        }
    }
}

/// `fabnet fault partition GROUP GROUP…`: replaces the partition; guarantees no node is in two
/// groups (refused, naming it).
struct FaultPartition: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partition", abstract: "Split the nodes into groups that reach only each other.",
        discussion: """
        A GROUP is nodes and orgs, comma-separated; a node in no group reaches every node. \
        A new partition replaces the one before.

        Examples:
          fabnet fault partition Org1MSP Org2MSP,orderer
          fabnet fault partition peer1.org2 peer0.org1,peer1.org1,peer0.org2,orderer
        """)
    @Argument(help: "Two or more groups (comma-separated nodes and orgs).") var groups: [String]
    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    func validate() throws {
        guard groups.count >= 2 else { throw ValidationError("a partition needs at least two groups, e.g. `fabnet fault partition Org1MSP Org2MSP,orderer`") }
    }

    func run() async throws {
        try await Console.reportingErrors {
            let context = try FaultContext(description: description, stateOptions: stateOptions)
            var record = try FaultRecord.load(context.state)
            var seen: [String: Int] = [:]
            record.partition = try groups.enumerated().map { index, group in
                let names = try group.split(separator: ",").map(String.init).flatMap { try context.nodes($0) }.map(\.name)
                for name in names {
                    if let other = seen[name], other != index { throw ValidationError("\(name) is in two groups (\(other + 1) and \(index + 1)); put each node in one") }
                    seen[name] = index
                }
                return Array(Set(names)).sorted()
            }
            try await context.commit(record)
        }
    }
}

/// `fabnet fault delay NODE|ORG MS|MIN-MAX`: sets (0: removes) the nodes' added delay; bounded by
/// `FaultPlan.maximumDelayMilliseconds`.
struct FaultDelay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delay", abstract: "Delay a node's or org's traffic with other nodes by MS or MIN-MAX milliseconds.",
        discussion: "0 removes the delay.\n\nExamples:\n  fabnet fault delay peer0.org2 100\n  fabnet fault delay Org1MSP 20-80")
    @Argument(help: "A node or an org.") var target: String
    @Argument(help: "Milliseconds: MS or MIN-MAX.") var milliseconds: String
    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    /// MS or MIN-MAX as a range.
    static func range(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-").map { Int($0) }
        guard !text.hasPrefix("-"), !text.hasSuffix("-"),
              parts.allSatisfy({ $0 != nil && $0! >= 0 && $0! <= FaultPlan.maximumDelayMilliseconds }) else { return nil }
        switch parts.count {
        case 1: return parts[0]!...parts[0]!
        case 2 where parts[0]! <= parts[1]!: return parts[0]!...parts[1]!
        default: return nil
        }
    }

    func validate() throws {
        guard Self.range(milliseconds) != nil else {
            throw ValidationError("MS is a whole number of milliseconds up to \(FaultPlan.maximumDelayMilliseconds) or a range MIN-MAX (e.g. 100 or 20-80), got \(milliseconds)")
        }
    }

    func run() async throws {
        try await Console.reportingErrors {
            let range = Self.range(milliseconds)!
            try await FaultContext(description: description, stateOptions: stateOptions).changeNodes(target) {
                $0.delayMinimumMilliseconds = range.lowerBound
                $0.delayMaximumMilliseconds = range.upperBound
            }
        }
    }
}

/// `fabnet fault loss NODE|ORG P`: sets (0: removes) the nodes' gossip loss rate, 0 to 1.
struct FaultLoss: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loss", abstract: "Lose a share P (0 to 1) of a node's or org's gossip with other nodes.",
        discussion: "As `fabnet sim --loss`: gossip messages are lost; requests and streams (deliver, endorsement, submit) are not, they would hang rather than degrade. 0 removes it.\n\nExamples:\n  fabnet fault loss peer1.org1 0.5\n  fabnet fault loss Org2MSP 0.1")
    @Argument(help: "A node or an org.") var target: String
    @Argument(help: "The probability a gossip message is lost, 0 to 1.") var probability: Double
    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    func validate() throws {
        guard (0...1).contains(probability) else { throw ValidationError("P is a probability from 0 to 1 (e.g. 0.3), got \(probability)") }
    }

    func run() async throws {
        try await Console.reportingErrors {
            try await FaultContext(description: description, stateOptions: stateOptions).changeNodes(target) { $0.loss = probability }
        }
    }
}

/// `fabnet fault heal`: resumes every paused node and sends every node the empty plan.
struct FaultHeal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heal", abstract: "End every fault: resume paused nodes, end partitions, delays and loss.",
        discussion: "Examples:\n  fabnet fault heal && fabnet check")
    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    func run() async throws {
        try await Console.reportingErrors {
            let context = try FaultContext(description: description, stateOptions: stateOptions)
            let record = try FaultRecord.load(context.state)
            for name in record.paused {
                if let node = context.manifest.nodes.first(where: { $0.name == name }), let pid = node.pid, context.state.isRunning(node) { kill(pid, SIGCONT) }
            }
            try await context.commit(FaultRecord())
        }
    }
}

/// `fabnet fault list`: the record, as `status` shows it (nothing is asked of the nodes).
struct FaultList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the faults in force.",
        discussion: "Examples:\n  fabnet fault list\n  fabnet fault list --json")
    @OptionGroup var stateOptions: StateOptions
    @Flag(help: "Print the record as JSON: {partition, nodes, paused}.") var json = false

    func run() async throws {
        try await Console.reportingErrors {
            _ = try stateOptions.manifest()
            let record = try FaultRecord.load(stateOptions.network)
            if json { return print(try Console.json(record)) }
            for line in record.summary { print(line) }
            if record.isEmpty { print("no faults") }
        }
    }
}
