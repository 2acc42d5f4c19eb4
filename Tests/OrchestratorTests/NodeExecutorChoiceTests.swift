import Foundation
import Testing
@testable import Orchestrator

/// Which executor `up` gives a network's nodes: NIO's event loops beyond four nodes per core,
/// Swift's pool below; a choice in the user's environment is left to the nodes.
struct NodeExecutorChoiceTests {
    @Test func bigNetworksRunOnTheLoopsSmallOnesOnSwiftsPool() {
        #expect(NodeExecutorChoice.environment(nodes: 5, cores: 2, current: [:]) == ["FABNET_NODE_EXECUTOR": "pool"])
        #expect(NodeExecutorChoice.environment(nodes: 8, cores: 2, current: [:]) == ["FABNET_NODE_EXECUTOR": "pool"])
        #expect(NodeExecutorChoice.environment(nodes: 9, cores: 2, current: [:]) == ["FABNET_NODE_EXECUTOR": "loops"])
        #expect(NodeExecutorChoice.environment(nodes: 101, cores: 16, current: [:]) == ["FABNET_NODE_EXECUTOR": "loops"])
        #expect(NodeExecutorChoice.environment(nodes: 17, cores: 16, current: [:]) == ["FABNET_NODE_EXECUTOR": "pool"])
    }

    @Test func theUsersOwnChoiceIsKept() {
        #expect(NodeExecutorChoice.environment(nodes: 101, cores: 2, current: ["FABNET_NODE_EXECUTOR": "pool"]).isEmpty)
        #expect(NodeExecutorChoice.environment(nodes: 5, cores: 2, current: ["FABNET_NODE_EXECUTOR": "loops"]).isEmpty)
    }

    @Test func aChildGetsTheAddedVariablesBesideTheParentsOwn() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("child-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("env.log")
        let child = try ChildProcess(executable: "/usr/bin/env", arguments: [], logFile: log, environment: ["FABNET_NODE_EXECUTOR": "loops"])
        try await eventually("env to exit") { child.hasExited }
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains("FABNET_NODE_EXECUTOR=loops"))
        if let path = ProcessInfo.processInfo.environment["PATH"] { #expect(lines.contains(Substring("PATH=\(path)"))) }
    }
}
