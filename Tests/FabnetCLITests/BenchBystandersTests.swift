@testable import FabnetBench
import Foundation
import Testing

/// `BenchBystanders`: node processes of another network are found from their command lines,
/// anything else is not, and the warning names each state folder with the command that stops it.
@Suite struct BenchBystandersTests {
    @Test func nodeCommandLinesAreFoundAndOthersAreNot() {
        #expect(BenchBystanders.node(pid: 7, arguments: ["/usr/local/bin/fabnet", "peer", "start", "--home", "/p/.fabnet/nodes/peer0"])
                == .init(pid: 7, home: "/p/.fabnet/nodes/peer0"))
        #expect(BenchBystanders.node(pid: 8, arguments: ["/tmp/fabnet-old", "orderer", "start", "--home", "/q/nodes/orderer"])?.home == "/q/nodes/orderer")
        #expect(BenchBystanders.node(pid: 9, arguments: ["fabnet", "peer", "start"]) == .init(pid: 9, home: nil))
        #expect(BenchBystanders.node(pid: 10, arguments: ["fabnet", "up", "-d"]) == nil)
        #expect(BenchBystanders.node(pid: 11, arguments: ["/bin/bash", "peer", "start"]) == nil)
        #expect(BenchBystanders.node(pid: 12, arguments: ["fabnet", "peer"]) == nil)
    }

    @Test func theWarningNamesTheStateFoldersToStop() throws {
        #expect(BenchBystanders.warning(for: []) == nil)
        let nodes = [BenchBystanders.Node(pid: 1, home: "/p/.fabnet/nodes/orderer.example.com"),
                     BenchBystanders.Node(pid: 2, home: "/p/.fabnet/nodes/peer0.org1.example.com"),
                     BenchBystanders.Node(pid: 3, home: "/tmp/n100/st/nodes/peer0.org1.example.com")]
        let text = try #require(BenchBystanders.warning(for: nodes))
        #expect(text.contains("3 fabnet node(s)"))
        #expect(text.contains("`fabnet down --state /p/.fabnet`, `fabnet down --state /tmp/n100/st`"))
        #expect(try #require(BenchBystanders.warning(for: [.init(pid: 42, home: nil)])).contains("pids 42"))
    }

    /// Read from a folder laid out as /proc: one entry per pid with its NUL-separated cmdline.
    @Test func runningNodesAreReadFromProcessEntries() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-bystanders-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        func process(_ pid: Int, _ arguments: [String]) throws {
            let folder = root.appendingPathComponent("\(pid)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(arguments.joined(separator: "\0").utf8 + [0]).write(to: folder.appendingPathComponent("cmdline"))
        }
        try process(300, ["/opt/fabnet", "peer", "start", "--home", "/s/nodes/peer1"])
        try process(20, ["/opt/fabnet", "orderer", "start", "--home", "/s/nodes/orderer"])
        try process(21, ["/usr/bin/python3", "peer", "start"])
        try FileManager.default.createDirectory(at: root.appendingPathComponent("self"), withIntermediateDirectories: true)
        #expect(BenchBystanders.running(processes: root) == [.init(pid: 20, home: "/s/nodes/orderer"), .init(pid: 300, home: "/s/nodes/peer1")])
    }
}
