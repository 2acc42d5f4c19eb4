@testable import FabricGateway
import Foundation
import Orchestrator
import Testing

/// Python's grpcio with Hyperledger's protos (Tests/fabric/gateway_smoke.py) calls Evaluate,
/// Endorse, Submit and CommitStatus on a GatewayService over a fake backend, and reads Fabric's
/// error forms (codes, messages, ErrorDetails). Runs only where `make fabric-venv` made `.venv-fabric`.
struct GatewayPythonInteropTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = repository.appendingPathComponent(".venv-fabric/bin/python")
    static let script = repository.appendingPathComponent("Tests/fabric/gateway_smoke.py")

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python.path), "needs `make fabric-venv`"))
    func grpcioCallsTheGateway() async throws {
        let board = CommitBoard()
        let backend = FakeBackend(
            endorsers: [FakeEndorser("peer0.org1:7051", "Org1MSP", local: true), FakeEndorser("peer0.org2:7051", "Org2MSP")],
            orderers: [FakeOrderer("orderer0:7050", .success, commitsTo: board)], board: board)
        let (status, output) = try await withGatewayPort(backend) { port in
            try await withDeadline(seconds: 60, "gateway_smoke.py") { try await run(Self.python, [Self.script.path, "127.0.0.1:\(port)"]) }
        }
        #expect(status == 0, "gateway_smoke.py said:\n\(output)")
        #expect(output.contains("OK"))
    }
}

/// Runs `executable` with `arguments`; its exit status and its stdout and stderr together.
/// (Output goes to a file, not a pipe: reading a pipe would block one of the few cooperative
/// threads the server under test needs.)
func run(_ executable: URL, _ arguments: [String]) async throws -> (Int32, String) {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-gateway-smoke-\(UUID().uuidString).log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: log) }
    let handle = try FileHandle(forWritingTo: log)
    defer { try? handle.close() }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.standardOutput = handle
    process.standardError = handle
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
}
