import FabnetTestKit
import Foundation
import OperationsEndpoint
import Subprocess
import SystemPackage
import Testing

/// `fabnet ui` in a real browser: Debian's Chromium, headless, loads the page, which shows every
/// node and changes when a peer is killed. `make test` installs chromium (scripts/install-deps
/// --tests); without it this test fails saying so.
@Suite(.serialized)
struct UITests {
    /// Debian's chromium on PATH (or FABNET_CHROMIUM).
    static func chromium() -> String? {
        if let path = ProcessInfo.processInfo.environment["FABNET_CHROMIUM"] { return path }
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser"] {
            for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }

    /// The page's DOM after its scripts ran (`--dump-dom`), as headless Chromium renders it.
    static func renderedPage(_ url: String, chromium: String) async throws -> String {
        let result = try await Subprocess.run(
            .path(FilePath(chromium)),
            arguments: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=3000", "--dump-dom", url],
            output: .string(limit: 16 << 20), error: .discarded)
        return result.standardOutput
    }

    /// Each node's state as the page shows it (`data-name` → `data-state`).
    static func nodeStates(in dom: String) -> [String: String] {
        var states: [String: String] = [:]
        let pattern = /data-name="([^"]+)" data-state="([^"]+)"/
        for match in dom.matches(of: pattern) { states[String(match.1)] = String(match.2) }
        return states
    }

    @Test func thePageShowsEveryNodeAndAKilledPeer() async throws {
        guard let chromium = Self.chromium() else {
            Issue.record("no chromium on PATH: install Debian's (`./scripts/install-deps --tests`, which `make test` runs) or set FABNET_CHROMIUM")
            return
        }
        let network = try CLINetwork()
        defer { network.remove() }
        try await network.up()
        let port = try freePort()
        let ui = try ChildProcess(executable: fabnetBinary.path, arguments: ["ui", "--port", String(port), "--state", network.state.path],
                                  logFile: network.root.appendingPathComponent("ui.log"))
        defer { ui.killAndReap() }
        try await eventually(seconds: 30, "the ui serves") {
            (try? await HTTPProbe.get(port: port, path: "/api/network", timeout: 1))?.status == 200 || ui.hasExited
        }
        #expect(!ui.hasExited, "\(ui.log)")
        let names = try #require(network.manifest?.nodes.map(\.name))
        let url = "http://127.0.0.1:\(port)/"
        let loaded = try await Self.renderedPage(url, chromium: chromium)
        #expect(Self.nodeStates(in: loaded) == Dictionary(uniqueKeysWithValues: names.map { ($0, "up") }), "\(loaded)")
        #expect(loaded.contains("class=\"leader\""), "no leader shown")

        #expect(try await network.cli(["kill", "peer1.org2"]).status == 0)
        try await eventually(seconds: 30, "the page shows peer1.org2 down") {
            Self.nodeStates(in: try await Self.renderedPage(url, chromium: chromium))["peer1.org2.example.com"] == "down"
        }
        // The JSON behind it names the gossip connections between nodes.
        let picture = try await HTTPProbe.get(port: port, path: "/api/network").body
        let connections = (try JSONSerialization.jsonObject(with: Data(picture.utf8)) as? [String: Any])?["connections"] as? [[String: String]] ?? []
        #expect(connections.contains { $0["from"] == "peer0.org1.example.com" && names.contains($0["to"] ?? "") }, "\(picture)")
    }
}
