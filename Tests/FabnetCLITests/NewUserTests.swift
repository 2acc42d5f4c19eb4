import FabnetTestKit
import Foundation
import OperationsEndpoint
import Subprocess
import SystemPackage
import Testing

/// A network made with the CLI as a user makes it (`fabnet up -d` in a folder of theirs), always
/// stopped and removed at the end.
final class CLINetwork: @unchecked Sendable {
    let root: URL
    let state: URL
    let crypto: URL
    let basePort: Int

    init(_ name: String = #function) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-cli-\(name.filter(\.isLetter).prefix(24))-\(UUID().uuidString.prefix(6))")
        state = root.appendingPathComponent("state")
        crypto = root.appendingPathComponent("crypto")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        basePort = try freePortBlock(count: NetworkLauncher.portCount(peers: 4))
    }

    /// `fabnet ARGUMENTS --state STATE`.
    func cli(_ arguments: [String]) async throws -> CommandResult {
        try await runFabnet(arguments + ["--state", state.path], in: root)
    }

    /// `fabnet up -d` on the default network; throws with its output if it fails.
    @discardableResult
    func up(_ extra: [String] = []) async throws -> CommandResult {
        let result = try await cli(["up", "-d", "--crypto", crypto.path, "--timeout", "60"] + extra)
        guard result.status == 0 else { throw DeadlineExceeded(seconds: 0, what: "fabnet up: \(result.errors)") }
        return result
    }

    var manifest: NetworkState.Manifest? { try? NetworkState(directory: state).load() }

    /// Stops every node the state folder records and removes the folder.
    func remove() {
        let network = NetworkState(directory: state)
        if let manifest = try? network.load() { NetworkStopper(state: network).stop(manifest, signal: SIGKILL, timeout: 5) }
        try? FileManager.default.removeItem(at: root)
    }
}

/// What a new user hits first: data safety, ports, `start` of a broken node, a bench ended by a
/// signal, what the foreground `up` reports.
@Suite(.serialized)
struct NewUserTests {
    /// The sh blocks of README.md's "## Walkthrough" section, in order.
    static func readmeWalkthrough() throws -> String {
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../README.md").standardizedFileURL, encoding: .utf8)
        guard let start = readme.range(of: "\n## Walkthrough\n") else { return "" }
        let section = readme[start.upperBound...]
        let end = section.range(of: "\n## ")?.lowerBound ?? section.endIndex
        var script: [String] = []
        var inBlock = false
        for line in section[..<end].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inBlock = line == "```sh" ? true : false; continue }
            if inBlock { script.append(String(line)) }
        }
        return script.joined(separator: "\n")
    }

    /// README.md's walkthrough, run as written by bash (`fabnet` is the built binary on free
    /// ports, `logs -f` without `-f`; FABNET_STATE names the test's folder): every command
    /// succeeds but the `status` right after the leader is killed, which exits 3 (a node is down).
    @Test func theReadmeWalkthroughRunsAsWritten() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        let walkthrough = try Self.readmeWalkthrough()
        #expect(walkthrough.contains("fabnet up -d") && walkthrough.contains("fabnet kill $LEADER"), "README walkthrough not found")
        let script = """
            fabnet() {
              local command="fabnet $*" rc=0
              case "$1" in
                up) shift; "$FABNET_BIN" up --base-port "$FABNET_PORT" --crypto "$FABNET_ROOT/crypto" --timeout 60 "$@" || rc=$? ;;
                logs) shift; args=(); for a in "$@"; do [ "$a" = -f ] || args+=("$a"); done; "$FABNET_BIN" logs --tail 3 "${args[@]}" || rc=$? ;;
                *) "$FABNET_BIN" "$@" || rc=$? ;;
              esac
              [ "$rc" = 0 ] || echo "FAILED($rc): $command" >&2
              return "$rc"
            }
            """ + "\n" + walkthrough + "\n"
        let file = network.root.appendingPathComponent("walkthrough.sh")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let result = try await Subprocess.run(
            .path("/bin/bash"), arguments: [file.path],
            environment: .inherit.updating(["FABNET_BIN": fabnetBinary.path, "FABNET_PORT": "\(network.basePort)",
                                            "FABNET_ROOT": network.root.path, "FABNET_STATE": network.state.path]),
            workingDirectory: FilePath(network.root.path), output: .string(limit: 16 << 20), error: .string(limit: 16 << 20))
        let errors = result.standardError, output = result.standardOutput
        let failures = errors.split(separator: "\n").filter { $0.hasPrefix("FAILED(") }
        #expect(failures == ["FAILED(3): fabnet status"], "\(failures)\n--- script ---\n\(script)\n--- output ---\n\(output)\n--- errors ---\n\(errors)")
        #expect(output.contains("ready in ") && output.contains("hello"), "\(output)")
        #expect(output.contains("ready (waited"), "\(output)")
    }

    @Test func downCleanRemovesWhatUpMadeAndKeepsTheUsersOwnFiles() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        // The user's own cryptogen file in the folder they give --crypto.
        try FileManager.default.createDirectory(at: network.crypto, withIntermediateDirectories: true)
        let own = network.crypto.appendingPathComponent("crypto-config.yaml")
        try "PeerOrgs: []\n".write(to: own, atomically: true, encoding: .utf8)
        try await network.up(["--base-port", String(network.basePort)])
        #expect(FileManager.default.fileExists(atPath: network.crypto.appendingPathComponent("peerOrganizations").path))
        #expect(FileManager.default.fileExists(atPath: network.state.appendingPathComponent("profiles/connection-org1.yaml").path))
        let down = try await network.cli(["down", "--clean"])
        #expect(down.status == 0, "\(down.errors)")
        #expect(FileManager.default.fileExists(atPath: own.path), "the user's file survives --clean")
        #expect(!FileManager.default.fileExists(atPath: network.crypto.appendingPathComponent("peerOrganizations").path))
        #expect(!FileManager.default.fileExists(atPath: network.crypto.appendingPathComponent("ordererOrganizations").path))
        #expect(!FileManager.default.fileExists(atPath: network.state.path))
    }

    @Test func clientCommandsUseOnlyTheirStateFolderAndNeverReachAnotherNetwork() async throws {
        let a = try CLINetwork("networkA"), b = try CLINetwork("networkB")
        defer { a.remove(); b.remove() }
        try await a.up(["--base-port", String(a.basePort)])
        try await b.up(["--base-port", String(b.basePort)])
        // The orderer is first: framing, gRPC, then operations.
        let heightOfA = { () async throws -> String in try await HTTPProbe.get(port: a.basePort + 2, path: "/metrics").body
            .split(separator: "\n").first { $0.hasPrefix(#"fabnet_ledger_height{channel="mychannel"}"#) }.map(String.init) ?? "" }
        let before = try await heightOfA()
        #expect(try await b.cli(["stop", "orderer.example.com"]).status == 0)
        let put = try await b.cli(["tx", "put", "k", "v", "--channel", "mychannel", "--wait", "--timeout", "5"])
        #expect(put.status == 1)
        #expect(put.errors.contains("orderer.example.com is down: fabnet start orderer.example.com --state \(b.state.path)"), "\(put.errors)")
        let fetch = try await b.cli(["block", "fetch", "newest", "--channel", "mychannel"])
        #expect(fetch.status == 1)
        #expect(fetch.errors.contains("is down"))
        #expect(try await heightOfA() == before, "nothing was written into network A")
        // No network at all: say how to start one; never suggest generating crypto material.
        let nowhere = try await runFabnet(["tx", "put", "k", "v", "--channel", "mychannel", "--state", b.root.appendingPathComponent("none").path])
        #expect(nowhere.status == 1)
        #expect(nowhere.errors.contains("no network in \(b.root.appendingPathComponent("none").path)/ (start one with `fabnet up`"), "\(nowhere.errors)")
        for result in [put, fetch, nowhere] { #expect(!result.errors.contains("crypto generate")) }
        // With its orderer back, B takes the write.
        #expect(try await b.cli(["start", "orderer.example.com"]).status == 0)
        let again = try await b.cli(["tx", "put", "k", "v", "--channel", "mychannel", "--wait"])
        #expect(again.status == 0, "\(again.errors)")
        #expect(try await heightOfA() == before)
    }

    @Test func aBasePortThatDoesNotFitIsAClearError() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        let high = try await network.cli(["up", "-d", "--crypto", network.crypto.path, "--base-port", "65530"])
        #expect(high.status == 1)
        #expect(high.errors.contains("--base-port 65530 does not fit: the network needs 15 ports"), "\(high.errors)")
        #expect(!high.errors.contains("Fatal error"))
        for bad in ["0", "70000", "-3", "abc"] {
            let result = try await network.cli(["up", "-d", "--crypto", network.crypto.path, "--base-port", bad])
            #expect(result.status != 0, "--base-port \(bad)")
            #expect(result.errors.contains("base-port"), "\(bad): \(result.errors)")
            #expect(!result.errors.contains("Fatal error"))
        }
        #expect(network.manifest == nil, "nothing was started")
    }

    @Test func aSecondUpReusesTheRecordedPortsAndRefusesAnotherBasePort() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        try await network.up(["--base-port", String(network.basePort)])
        let first = try #require(network.manifest)
        #expect(try await network.cli(["down"]).status == 0)
        // The user's file beside the profiles stays; a profile they changed is written anew.
        let profiles = network.state.appendingPathComponent("profiles")
        try "mine".write(to: profiles.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        try "{}".write(to: profiles.appendingPathComponent("connection-org1.json"), atomically: true, encoding: .utf8)
        // Without --base-port: the same ports, not 7050.
        try await network.up()
        let second = try #require(network.manifest)
        #expect(second.basePort == network.basePort)
        #expect(second.nodes.map(\.port) == first.nodes.map(\.port))
        #expect(second.nodes.map(\.operationsPort) == first.nodes.map(\.operationsPort))
        #expect(try String(contentsOf: profiles.appendingPathComponent("notes.txt"), encoding: .utf8) == "mine")
        let peer0 = try #require(second.nodes.first { $0.name == "peer0.org1.example.com" }?.grpcPort)
        let profile = try JSONDecoder().decode(ConnectionProfile.self, from: Data(contentsOf: profiles.appendingPathComponent("connection-org1.json")))
        #expect(profile.peers["peer0.org1.example.com"]?.url == "grpcs://localhost:\(peer0)")
        let env = try await network.cli(["env", "Org1"])
        #expect(env.output.contains("export CORE_PEER_ADDRESS='localhost:\(peer0)'"), "\(env.output)\(env.errors)")
        #expect(try await network.cli(["down"]).status == 0)
        let moved = try await network.cli(["up", "-d", "--crypto", network.crypto.path, "--base-port", String(network.basePort + 100)])
        #expect(moved.status == 1)
        #expect(moved.errors.contains("uses ports from \(network.basePort); --base-port \(network.basePort + 100) would move it"), "\(moved.errors)")
        #expect(network.manifest?.nodes.map(\.port) == first.nodes.map(\.port), "the recorded ports are not rewritten")
        #expect(second.nodes.map(\.grpcPort) == first.nodes.map(\.grpcPort))
        #expect(Set(first.nodes.flatMap { [$0.port, $0.grpcPort ?? 0, $0.operationsPort] }).count == 15, "three ports per node, all different")
    }

    /// A second `up` starts the peers holding their channels and resumes them with a join, each
    /// where its ledger ended: the value written before `down` is read after it, and the
    /// channel goes on committing.
    @Test func aSecondUpResumesEveryPeersChannelsWhereTheirLedgersEnd() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        try await network.up()
        #expect(try await network.cli(["tx", "put", "greeting", "hello", "-c", "mychannel", "--wait"]).status == 0)
        #expect(try await network.cli(["down"]).status == 0)
        try await network.up()
        let get = try await network.cli(["tx", "get", "greeting", "-c", "mychannel", "--peer", "peer1.org2"])
        #expect(get.output.contains("hello"), "\(get.output)\(get.errors)")
        // The resumed channels go on committing from their height.
        #expect(try await network.cli(["tx", "put", "greeting", "again", "-c", "mychannel", "--wait"]).status == 0)
        let again = try await network.cli(["tx", "get", "greeting", "-c", "mychannel", "--peer", "peer0.org2"])
        #expect(again.output.contains("again"), "\(again.output)\(again.errors)")
        for peer in ["peer0.org1", "peer1.org1", "peer0.org2", "peer1.org2"] {
            let log = try String(contentsOf: network.state.appendingPathComponent("logs/\(peer).example.com.log"), encoding: .utf8)
            #expect(log.contains("channel mychannel: held at height 2 until joined again"), "\(peer)")
            #expect(log.contains("channel mychannel: resumed at height 2"), "\(peer)")
            #expect(!log.contains("not joined again within"), "\(peer) resumed by itself, not by up's join")
        }
    }

    @Test func stateFromAnOlderFabnetIsRefusedWithWhatToDo() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        try await network.up(["--base-port", String(network.basePort)])
        #expect(try await network.cli(["down"]).status == 0)
        // An older fabnet wrote no format: its ledgers hold fabnet's own blocks.
        let file = network.state.appendingPathComponent("network.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        object["format"] = nil
        try JSONSerialization.data(withJSONObject: object).write(to: file)
        let again = try await network.cli(["up", "-d", "--crypto", network.crypto.path])
        #expect(again.status == 1)
        #expect(again.errors.contains("state from an older fabnet"), "\(again.errors)")
        #expect(again.errors.contains("fabnet down --clean"), "\(again.errors)")
        #expect(try await network.cli(["down", "--clean"]).status == 0, "an older state folder can still be cleaned")
    }

    @Test func startingAPeerWithADamagedLedgerEndsAtOnceWithTheReasonAndTheFix() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        try await network.up(["--base-port", String(network.basePort)])
        #expect(try await network.cli(["tx", "put", "a", "1", "--channel", "mychannel", "--wait"]).status == 0)
        let peer = "peer1.org2.example.com"
        try await eventually(seconds: 30, "\(peer) holds block 1") {
            try await network.cli(["tx", "get", "a", "--channel", "mychannel", "--peer", peer]).output.contains("1")
        }
        #expect(try await network.cli(["stop", peer]).status == 0)
        // Damage block 0's record (not the last one: a damaged last record is a torn write).
        let ledger = network.state.appendingPathComponent("nodes/\(peer)/ledger/mychannel")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: ledger.path).sorted().first)
        let handle = try FileHandle(forUpdating: ledger.appendingPathComponent(file))
        try handle.seek(toOffset: 40)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 8))
        try handle.close()

        let start = try await network.cli(["start", peer])
        #expect(start.status == 1)
        #expect(start.errors.contains("\(peer) exited during start (exit code 1)"), "\(start.errors)")
        #expect(start.errors.contains("ledger of channel mychannel is corrupted at block 0"), "\(start.errors)")
        #expect(!start.errors.contains("did not happen"), "it ends when the node exits, not at a timeout")
        // The fix, followed as printed, brings the peer back with the whole chain and keeps the
        // damaged file.
        #expect(start.errors.contains("fabnet rebuild \(peer) --state \(network.state.path)"), "\(start.errors)")
        let rebuilt = try await network.cli(["rebuild", peer, "--timeout", "60"])
        #expect(rebuilt.status == 0 && rebuilt.output.contains("mychannel rebuilt to height"), "\(rebuilt.output) \(rebuilt.errors)")
        let kept = network.state.appendingPathComponent("nodes/\(peer)/damaged/mychannel")
        #expect(try FileManager.default.contentsOfDirectory(atPath: kept.path).contains { $0.hasPrefix("\(file).damaged-") })
        try await eventually(seconds: 30, "\(peer) has a again") {
            try await network.cli(["tx", "get", "a", "--channel", "mychannel", "--peer", peer]).output.contains("1")
        }
        // Nothing damaged any more; and the orderer's ledger is refused, naming what to do.
        #expect(try await network.cli(["rebuild", peer]).output.contains("no damaged ledger"))
        let orderer = try await network.cli(["rebuild", "orderer.example.com"])
        #expect(orderer.status == 1 && orderer.errors.contains("no peer to rebuild it from"), "\(orderer.errors)")
    }

    @Test func aBenchEndedByASignalStopsItsNetworkAndRemovesItsFolder() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-bench-signal-\(UUID().uuidString.prefix(6)).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let bench = try ChildProcess(executable: fabnetBinary.path, arguments: ["bench", "up", "--runs", "3"], logFile: log)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-bench-up-\(bench.pid)")
        let state = NetworkState(directory: root.appendingPathComponent("state"))
        defer {
            if let manifest = try? state.load() { NetworkStopper(state: state).stop(manifest, signal: SIGKILL, timeout: 5) }
            try? FileManager.default.removeItem(at: root)
        }
        // Once a node of its network runs, end the bench as Ctrl-C would.
        try await eventually(seconds: 60, "a node of the bench's network runs") {
            (try? state.load())?.nodes.contains { state.isRunning($0) } ?? false
        }
        let nodes = try #require(try state.load()).nodes
        bench.kill(SIGINT)
        try await eventually(seconds: 30, "the bench exits") { bench.hasExited }
        #expect(bench.exitCode == 128 + SIGINT, "\(bench.log)")
        #expect(!FileManager.default.fileExists(atPath: root.path), "its folder is removed")
        // Its nodes are gone (each pid no longer the process it recorded).
        try await eventually(seconds: 10, "its nodes are gone") { nodes.allSatisfy { !state.isRunning($0) } }
    }

    @Test func theForegroundUpLogsEveryCommitAndReportsANodeThatExits() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        let output = network.root.appendingPathComponent("up.log")
        let up = try ChildProcess(executable: fabnetBinary.path,
                                  arguments: ["up", "--crypto", network.crypto.path, "--state", network.state.path, "--base-port", String(network.basePort)],
                                  logFile: output)
        defer { up.killAndReap() }
        try await eventually(seconds: 60, "up is ready") { up.log.contains("ready in") || up.hasExited }
        #expect(!up.hasExited, "\(up.log)")
        try await eventually(seconds: 10, "up prints the live picture's URL") { up.log.contains("live picture of the network: http://127.0.0.1:") }
        #expect(try await network.cli(["tx", "put", "a", "1", "--channel", "mychannel", "--wait"]).status == 0)
        // One info line per peer for the block.
        try await eventually(seconds: 30, "every peer logs its commit of block 1") {
            up.log.components(separatedBy: "\n").filter { $0.contains("committed block 1 ") }.count == 4
        }
        let victim = try #require(network.manifest?.nodes.first { $0.name == "peer1.org2.example.com" })
        kill(try #require(victim.pid), SIGKILL)
        try await eventually(seconds: 30, "up reports the exit") { up.log.contains("peer1.org2.example.com exited (signal 9)") }
        up.kill(SIGINT)
        try await eventually(seconds: 30, "up stops the network and exits") { up.hasExited }
        #expect(up.log.contains("stopping the network"))
    }

    /// fabric-samples' shapes (fixtures written by the project) start unchanged: the current
    /// test-network (no anchor peers: ready once each org sees itself, as Fabric's rules allow)
    /// and test-network-nano-bash (127.0.0.1 anchors, several orderers: the first runs, with a
    /// warning naming the others).
    @Test func fabricSamplesFilesStartUnchanged() async throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FabnetConfigTests/Fixtures")
        for (name, file, warning) in [
            ("testNetwork", "test-network-current/configtx/configtx.yaml", "cannot find each other"),
            ("nanoBash", "test-network-nano-bash/configtx.yaml", "several orderers"),
        ] {
            let network = try CLINetwork(name)
            defer { network.remove() }
            let up = try await network.up(["-f", fixtures.appendingPathComponent(file).path, "--base-port", String(network.basePort)])
            #expect(up.errors.contains(warning), "\(file): \(up.errors)")
            let manifest = try #require(network.manifest)
            #expect(manifest.nodes.filter { $0.role == "orderer" }.count == 1, "\(file): one orderer runs")
            #expect(try await network.cli(["tx", "put", "k", "v", "--channel", "mychannel", "--wait"]).status == 0, "\(file)")
            for peer in manifest.nodes where peer.role == "peer" {
                try await eventually(seconds: 30, "\(peer.name) has k") {
                    try await network.cli(["tx", "get", "k", "--channel", "mychannel", "--peer", peer.name]).status == 0
                }
            }
        }
    }
}
