import FabnetCrypto
import Foundation
import Orchestrator

/// What `fabnet start`, `restart` and `up` do once nodes are healthy: give them the faults
/// recorded in the state folder (`fabnet fault`), so a restarted node is still partitioned,
/// delayed or lossy until `fabnet fault heal`. A restarted node is no longer paused.
enum FaultRestore {
    static func restore(to nodes: [NetworkState.Node], manifest: NetworkState.Manifest, state: NetworkState) async throws {
        var record = try FaultRecord.load(state)
        guard !record.isEmpty else { return }
        let restarted = Set(nodes.map(\.name))
        if record.paused.contains(where: restarted.contains) {
            record.paused.removeAll { restarted.contains($0) }
            try record.save(state)
        }
        let spec = try NetworkOptions.parse([]).load(for: manifest).spec
        let clients = NodeClients(spec: spec, layout: CryptoLayout(root: URL(fileURLWithPath: manifest.cryptoDirectory)), manifest: manifest)
        let failed = await record.send(to: nodes, manifest: manifest, state: state, clients: clients)
        if !failed.isEmpty { Console.error("the recorded faults did not reach \(failed.joined(separator: ", "))") }
        for line in record.summary { Console.error("fault in force: \(line)") }
    }
}
