import FabnetTestKit
import Foundation
import Subprocess
import SystemPackage
import Testing

/// The walkthrough `examples/asset-transfer/README.md` teaches, run step by step as a user runs
/// it: `fabnet up -d`, the example contract (`contract.py`, Hyperledger's Python contract API,
/// chaincode as a service) started on a free port, `fabnet chaincode deploy`, then the example
/// client (`client.py`, official protos and grpcio) after `eval "$(fabnet env Org1)"`: create
/// (committed VALID, read back), read, transfer (VALID, the new owner read back, the previous one
/// answered), a refused create (exit 1 with the chaincode's reason), list; then `chaincode list`,
/// `block fetch newest --json` (the newest block's write, as the README's jq line reads it) and
/// `fabnet down`.
///
/// Guarantees: the commands and outputs the README shows still hold; everything it starts (the
/// network in a temporary folder on free ports, the contract process) is stopped, pass or fail.
/// Skipped, saying so, when `.venv-fabric` is missing (`make fabric-venv`; `make test` makes it).
@Suite(.serialized, .enabled(if: FileManager.default.fileExists(atPath: FabricClientSuiteTests.python.path), "needs .venv-fabric (make fabric-venv)"))
struct WalkthroughTests {
    static let example = FabricClientSuiteTests.repository.appendingPathComponent("examples/asset-transfer")
    static let python = FabricClientSuiteTests.python.path

    /// `python client.py ARGUMENTS` after `eval "$(fabnet env Org1 --state STATE)"` in a POSIX shell.
    func client(_ network: CLINetwork, _ arguments: String...) async throws -> CommandResult {
        // The exports are captured first so that a failing `fabnet env` fails the run (exit 9).
        let script = #"exports=$("$0" env Org1 --state "$1") || exit 9; eval "$exports"; shift; exec "$@""#
        let run = [fabnetBinary.path, network.state.path, Self.python, Self.example.appendingPathComponent("client.py").path] + arguments
        let result = try await withDeadline(seconds: 120, "client.py \(arguments.joined(separator: " "))") {
            try await Subprocess.run(.path(FilePath("/bin/sh")), arguments: Arguments(["-c", script] + run),
                                     output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        }
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return CommandResult(status: status, output: result.standardOutput, errors: result.standardError)
    }

    @Test func theAssetTransferWalkthroughRunsAsWritten() async throws {
        // 1. fabnet up -d
        let network = try CLINetwork()
        defer { network.remove() }
        try await network.up(["--base-port", String(network.basePort)])

        // 2. The contract, served on a free port.
        let port = try freePort()
        let contract = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: ["CHAINCODE_SERVER_ADDRESS=127.0.0.1:\(port)", "CHAINCODE_ID=basic", Self.python,
                        Self.example.appendingPathComponent("contract.py").path],
            logFile: network.root.appendingPathComponent("contract.log"))
        defer { contract.killAndReap() }
        try await eventually(seconds: 60, "the contract listening on 127.0.0.1:\(port)") {
            acceptsConnections(port: port) || contract.hasExited
        }
        try #require(!contract.hasExited, "the contract exited: \(contract.log.suffix(3000))")

        // 3. fabnet chaincode deploy basic --address 127.0.0.1:PORT -c mychannel
        let deployed = try await network.cli(["chaincode", "deploy", "basic", "--address", "127.0.0.1:\(port)", "-c", "mychannel"])
        try #require(deployed.status == 0, "\(deployed.errors)")
        #expect(deployed.output.contains("basic 1.0 (sequence 1) defined on mychannel"), "\(deployed.output)")
        #expect(deployed.output.contains("4 peer(s) reach it at 127.0.0.1:\(port)"), "\(deployed.output)")

        // 4–5. eval "$(fabnet env Org1)"; client.py create / read / transfer / list
        let created = try await client(network, "create", "asset1", "blue", "Tom")
        let why = created.status == 0 ? "" : await Self.logs(network, contract)
        try #require(created.status == 0, "\(created.output)\n\(created.errors)\n\(why)")
        #expect(created.output.contains("submitting CreateAsset(asset1, blue, Tom)"), "\(created.output)")
        #expect(created.output.contains("committed: VALID in block 2"), "\(created.output)")
        #expect(created.output.contains(#"read back: {"Color":"blue","ID":"asset1","Owner":"Tom"}"#), "\(created.output)")

        let read = try await client(network, "read", "asset1")
        #expect(read.status == 0, "\(read.errors)")
        #expect(read.output == #"{"Color":"blue","ID":"asset1","Owner":"Tom"}"# + "\n", "\(read.output)")

        let transferred = try await client(network, "transfer", "asset1", "Ann")
        #expect(transferred.status == 0, "\(transferred.errors)")
        #expect(transferred.output.contains("committed: VALID in block 3"), "\(transferred.output)")
        #expect(transferred.output.contains(#"read back: {"Color":"blue","ID":"asset1","Owner":"Ann"}"#), "\(transferred.output)")
        #expect(transferred.output.contains("previous owner: Tom"), "\(transferred.output)")

        let second = try await client(network, "create", "asset2", "red", "Max")
        #expect(second.status == 0 && second.output.contains("committed: VALID in block 4"), "\(second.output)\n\(second.errors)")

        // A refusal names the chaincode's reason, per endorsing peer of both orgs, and exits 1.
        let again = try await client(network, "create", "asset1", "green", "Zoe")
        #expect(again.status == 1, "\(again.output)")
        #expect(again.errors.contains("error: ABORTED: failed to endorse transaction"), "\(again.errors)")
        #expect(again.errors.contains("Org1MSP peer0.org1.example.com:"), "\(again.errors)")
        #expect(again.errors.contains("Org2MSP peer0.org2.example.com:"), "\(again.errors)")
        #expect(again.errors.contains("chaincode response 500, the asset asset1 already exists"), "\(again.errors)")

        let listed = try await client(network, "list")
        #expect(listed.status == 0, "\(listed.errors)")
        let rows = listed.output.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(rows == ["ID COLOR OWNER", "asset1 blue Ann", "asset2 red Max", "2 asset(s)"], "\(listed.output)")

        // 6. fabnet chaincode list -c mychannel; fabnet block fetch newest --channel mychannel --json
        let chaincodes = try await network.cli(["chaincode", "list", "-c", "mychannel"])
        #expect(chaincodes.status == 0, "\(chaincodes.errors)")
        #expect(chaincodes.output.split(separator: "\n").filter { $0.hasPrefix("basic ") && $0.contains("127.0.0.1:\(port)") }.count == 4,
                "\(chaincodes.output)")
        let fetched = try await network.cli(["block", "fetch", "newest", "--channel", "mychannel", "--json"])
        #expect(fetched.status == 0, "\(fetched.errors)")
        let write = try #require(Self.firstWrite(ofBlockJSON: fetched.output), "\(fetched.output.prefix(2000))")
        #expect(write.key == "asset2" && write.value == #"{"Color":"red","ID":"asset2","Owner":"Max"}"#, "\(write)")

        // 7. kill the contract; fabnet down
        contract.killAndReap()
        let down = try await network.cli(["down"])
        #expect(down.status == 0, "\(down.errors)")
        #expect(down.output.contains("stopped 5 node(s)"), "\(down.output)")
    }

    /// The contract's log and the nodes' recent lines, for a failure message.
    static func logs(_ network: CLINetwork, _ contract: ChildProcess) async -> String {
        let nodes = (try? await network.cli(["logs", "--tail", "20"]))?.output ?? ""
        return "--- contract ---\n\(contract.log.suffix(3000))\n--- nodes ---\n\(nodes)"
    }

    /// The first write of the block's first transaction, as the README's jq line reads it:
    /// `.data.data[0].payload.data.actions[0].payload.action.proposal_response_payload.extension.results.ns_rwset[0].rwset.writes[0]`.
    static func firstWrite(ofBlockJSON text: String) -> (key: String, value: String)? {
        var node: Any? = try? JSONSerialization.jsonObject(with: Data(text.utf8))
        let path: [Any] = ["data", "data", 0, "payload", "data", "actions", 0, "payload", "action", "proposal_response_payload",
                           "extension", "results", "ns_rwset", 0, "rwset", "writes", 0]
        for step in path {
            if let key = step as? String { node = (node as? [String: Any])?[key] }
            if let index = step as? Int { node = (node as? [Any]).flatMap { $0.indices.contains(index) ? $0[index] : nil } }
        }
        guard let write = node as? [String: Any], let key = write["key"] as? String,
              let encoded = write["value"] as? String, let value = Data(base64Encoded: encoded) else { return nil }
        return (key, String(decoding: value, as: UTF8.self))
    }
}
