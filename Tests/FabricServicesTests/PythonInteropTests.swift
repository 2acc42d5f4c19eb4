@testable import FabricServices
import Foundation
import Orchestrator
import Testing

/// Python's grpcio with Hyperledger's protos (Tests/fabric/grpc_smoke.py) talks to a GRPCEndpoint
/// over TLS: ALPN, method paths, encodings. Runs only where `make fabric-venv` made `.venv-fabric`.
struct PythonInteropTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = repository.appendingPathComponent(".venv-fabric/bin/python")
    static let script = repository.appendingPathComponent("Tests/fabric/grpc_smoke.py")

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python.path), "needs `make fabric-venv`"),
          arguments: [false, true])
    func grpcioCallsAtomicBroadcastOverTLS(withClientCertificate: Bool) async throws {
        let material = try TestMaterial()
        defer { material.remove() }
        let backend = TestOrderer(blocks: 3)
        let endpoint = try GRPCEndpoint(host: "127.0.0.1", port: 0, security: .tls(material.endpointTLS()),
                                        services: [AtomicBroadcastService(backend)])
        let (status, output) = try await withRunningEndpoint(endpoint) { port in
            let arguments = [Self.script.path, "127.0.0.1:\(port)", material.trustRoots[0].path, "--expect-blocks", "3"] + (withClientCertificate ? ["--client-cert", material.clientCertificate.path, "--client-key", material.clientKey.path] : [])
            return try await withDeadline(seconds: 60, "grpc_smoke.py") { try await run(Self.python, arguments) }
        }
        #expect(status == 0, "grpc_smoke.py said:\n\(output)")
        #expect(output.contains("OK"))
        let expected = withClientCertificate ? try material.clientCertificateHash() : nil
        #expect(backend.callers.map(\.clientCertificateHash) == [expected])
    }
}

/// Runs `executable` with `arguments`; its exit status and its stdout and stderr together.
/// (Output goes to a file, not a pipe: reading a pipe would block one of the few cooperative
/// threads the server under test needs.)
func run(_ executable: URL, _ arguments: [String]) async throws -> (Int32, String) {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-grpc-smoke-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
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
