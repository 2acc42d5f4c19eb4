import FabnetCrypto
import FabnetWire
import Foundation
import Transport

/// The faults `fabnet fault` put on a network, as recorded in its state folder (`faults.json`),
/// by node name: what `status` shows, what a restarted node is given again, what `heal` ends.
///
/// Guarantees: the record is the source of truth: every change is saved first, then sent to
/// every running node as one whole plan (a node that is down gets it when it starts again
/// through `fabnet start`, `restart` or `up`); nodes are named in plans by the PKI-ID of their
/// own MSP identity, read from their homes.
public struct FaultRecord: Codable, Sendable, Equatable {
    /// Groups of node names that reach only each other.
    public var partition: [[String]] = []
    /// Delay and loss per node name.
    public var nodes: [String: FaultPlan.NodeFault] = [:]
    /// Nodes frozen with SIGSTOP.
    public var paused: [String] = []

    public init() {}

    public var isEmpty: Bool { partition.isEmpty && nodes.isEmpty && paused.isEmpty }

    static func file(_ state: NetworkState) -> URL { state.directory.appendingPathComponent("faults.json") }

    public static func load(_ state: NetworkState) throws -> FaultRecord {
        guard let data = FileManager.default.contents(atPath: file(state).path) else { return FaultRecord() }
        return try JSONDecoder().decode(FaultRecord.self, from: data)
    }

    public func save(_ state: NetworkState) throws {
        if isEmpty {
            try? FileManager.default.removeItem(at: Self.file(state))
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: Self.file(state), options: .atomic)
    }

    /// The lines `fault list` and `status` print (empty: no faults).
    public var summary: [String] {
        var lines: [String] = []
        if !partition.isEmpty { lines.append("partition: " + partition.map { "[" + $0.joined(separator: " ") + "]" }.joined(separator: " | ")) }
        for (node, fault) in nodes.sorted(by: { $0.key < $1.key }) {
            var parts: [String] = []
            if fault.delayMaximumMilliseconds > 0 {
                parts.append(fault.delayMinimumMilliseconds == fault.delayMaximumMilliseconds
                             ? "delay \(fault.delayMaximumMilliseconds) ms" : "delay \(fault.delayMinimumMilliseconds)-\(fault.delayMaximumMilliseconds) ms")
            }
            if fault.loss > 0 { parts.append("loss \(fault.loss)") }
            lines.append("\(node): " + parts.joined(separator: ", "))
        }
        if !paused.isEmpty { lines.append("paused: " + paused.joined(separator: " ")) }
        return lines
    }

    /// Each node's name in plans (its PKI-ID), read from its home; a node whose identity cannot
    /// be read is missing.
    static func planNames(_ manifest: NetworkState.Manifest, state: NetworkState) -> [String: String] {
        var ids: [String: String] = [:]
        for node in manifest.nodes {
            if let identity = try? LocalMSP.load(directory: state.home(of: node.name).appendingPathComponent("msp"), mspID: node.mspID).signingIdentity {
                ids[node.name] = FaultPlan.name(of: identity.pkiID)
            }
        }
        return ids
    }

    /// The plan nodes follow: names turned into PKI-IDs (a node whose identity cannot be read is
    /// left out, and so reaches all).
    public func plan(_ manifest: NetworkState.Manifest, state: NetworkState) -> FaultPlan {
        plan(manifest, ids: Self.planNames(manifest, state: state))
    }

    func plan(_ manifest: NetworkState.Manifest, ids: [String: String]) -> FaultPlan {
        var plan = FaultPlan()
        plan.members = manifest.nodes.compactMap { ids[$0.name] }
        plan.partition = partition.map { $0.compactMap { ids[$0] } }
        for (name, fault) in nodes { if let id = ids[name] { plan.nodes[id] = fault } }
        return plan
    }

    /// Sends the plan to `nodes` (those running); returns the names that did not take it, and
    /// those the plan could not name (their identity in their home cannot be read).
    public func send(to nodes: [NetworkState.Node], manifest: NetworkState.Manifest, state: NetworkState, clients: NodeClients) async -> [String] {
        let ids = Self.planNames(manifest, state: state)
        let plan = plan(manifest, ids: ids)
        let json = plan.isEmpty ? "" : String(decoding: (try? JSONEncoder().encode(plan)) ?? Data(), as: UTF8.self)
        var failed: [String] = isEmpty ? [] : manifest.nodes.filter { ids[$0.name] == nil }.map { "\($0.name) (its identity in its home cannot be read)" }
        for node in nodes where state.isRunning(node) && !paused.contains(node.name) {
            let response = try? await clients.client(of: node).admin(.setFaults(.with { $0.planJson = json }))
            if response?.status != .success { failed.append(node.name) }
        }
        return failed
    }
}
