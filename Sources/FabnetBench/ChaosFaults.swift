import FabnetConfig
import FabnetCrypto
import Foundation
import Orchestrator

/// Strikes and heals the faults of a chaos schedule on a running bench network, as the `fabnet
/// fault`, `kill` and `start` commands do: kill -9 and start again, SIGSTOP and SIGCONT, and
/// partitions through the nodes' transport (the `SetFaults` admin request).
///
/// Guarantees: the manifest it holds always has the nodes' current pids (a restart saves the
/// new pid in the state folder too); `healEverything()` leaves every node running, none paused
/// and no partition in force, whatever struck before (and says what it could not do).
actor ChaosFaults {
    private let state: NetworkState
    private let control: NodeControl
    private let spec: NetworkSpec
    private let layout: CryptoLayout
    private(set) var manifest: NetworkState.Manifest

    init(network: BenchNetwork, executable: String) {
        state = network.launcher.state
        control = NodeControl(state: network.launcher.state, executable: executable)
        manifest = network.manifest
        spec = network.spec
        layout = network.clients.layout
    }

    /// Clients of the nodes as they run now.
    var clients: NodeClients { NodeClients(spec: spec, layout: layout, manifest: manifest) }

    private func nodes(_ names: [String]) -> [NetworkState.Node] { manifest.nodes.filter { names.contains($0.name) } }

    /// Strikes `fault`; returns what went wrong, if anything.
    func strike(_ fault: ChaosSchedule.Fault) async -> [String] {
        var problems: [String] = []
        switch fault.kind {
        case .kill, .ordererRestart:
            for node in nodes(fault.nodes) where state.isRunning(node) {
                do { try control.stop(node, in: manifest, signal: SIGKILL, timeout: 5) } catch { problems.append("kill \(node.name): \(error)") }
            }
        case .pause:
            for node in nodes(fault.nodes) {
                if let pid = node.pid, state.isRunning(node), kill(pid, SIGSTOP) != 0 { problems.append("pause \(node.name): \(String(cString: strerror(errno)))") }
            }
        case .partition:
            var record = FaultRecord()
            record.partition = fault.groups
            problems += await send(record)
        }
        return problems
    }

    /// Heals `fault`: starts what it killed (waiting until healthy), resumes what it paused, ends
    /// its partition; returns what went wrong.
    func heal(_ fault: ChaosSchedule.Fault, timeout: Double) async -> [String] {
        switch fault.kind {
        case .kill, .ordererRestart:
            return await startStopped(fault.nodes, timeout: timeout)
        case .pause:
            for node in nodes(fault.nodes) { if let pid = node.pid, state.isRunning(node) { kill(pid, SIGCONT) } }
            return []
        case .partition:
            return await send(FaultRecord())
        }
    }

    /// Every node running, none paused, no partition; says whether anything was left to heal (a
    /// node down, or a plan in force) and what could not be healed.
    func healEverything(timeout: Double) async -> (healedSomething: Bool, problems: [String]) {
        for node in manifest.nodes { if let pid = node.pid, state.isRunning(node) { kill(pid, SIGCONT) } }
        let down = manifest.nodes.contains { !state.isRunning($0) }
        let planned = !((try? FaultRecord.load(state))?.isEmpty ?? true)
        var problems = await startStopped(manifest.nodes.map(\.name), timeout: timeout)
        problems += await send(FaultRecord())
        return (down || planned, problems)
    }

    private func startStopped(_ names: [String], timeout: Double) async -> [String] {
        var problems: [String] = []
        // The orderer first: peers that start look for it.
        let order = nodes(names).sorted { ($0.role == "orderer" ? 0 : 1) < ($1.role == "orderer" ? 0 : 1) }
        for node in order where !state.isRunning(node) {
            do {
                manifest = try control.start(node, in: manifest)
                if let started = manifest.nodes.first(where: { $0.name == node.name }) { try await control.waitHealthy(started, timeout: timeout) }
            } catch {
                problems.append("start \(node.name): \(error)")
            }
        }
        return problems
    }

    private func send(_ record: FaultRecord) async -> [String] {
        do { try record.save(state) } catch { return ["record the faults: \(error)"] }
        let failed = await record.send(to: manifest.nodes, manifest: manifest, state: state, clients: clients)
        return failed.map { "\($0) did not take the fault plan (see its log in the kept folder)" }
    }
}
