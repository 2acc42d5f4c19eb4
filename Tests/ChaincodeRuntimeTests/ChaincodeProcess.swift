import Foundation
import Orchestrator
import Synchronization

/// Hyperledger's Python shim serving Tests/fabric/chaincode/asset_transfer.py as a chaincode
/// server on 127.0.0.1, started by a test and stopped by it. Its output goes to a file, not a
/// pipe (reading a pipe would hold one of the few cooperative threads the client under test needs).
final class ChaincodeProcess: @unchecked Sendable {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = repository.appendingPathComponent(".venv-fabric/bin/python")
    static let contract = repository.appendingPathComponent("Tests/fabric/chaincode/asset_transfer.py")
    static var available: Bool { FileManager.default.isExecutableFile(atPath: python.path) }

    let port: Int
    let log: URL
    private let process = Process()
    private let exit = ExitStatus()

    init(port: Int, chaincodeID: String, environment: [String: String] = [:]) throws {
        self.port = port
        log = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-chaincode-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = Self.python
        process.arguments = [Self.contract.path]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "CHAINCODE_SERVER_ADDRESS": "127.0.0.1:\(port)",
            "CHAINCODE_ID": chaincodeID,
            "PYTHONUNBUFFERED": "1",
        ].merging(environment) { $1 }) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        process.terminationHandler = { [exit] process in
            exit.record(process.terminationStatus)
            try? handle.close()
        }
        try process.run()
    }

    /// Waits until the chaincode server accepts TCP connections on its port.
    func waitUntilListening(seconds: Double = 60) async throws {
        let port = port
        try await waitUntil("the chaincode listening on 127.0.0.1:\(port)", seconds: seconds) { acceptsConnections(port: port) }
    }

    /// What the chaincode printed so far.
    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Kills the chaincode and waits for it to exit. SIGKILL, because Foundation's Process starts
    /// the child with the spawning thread's signal mask, and the cooperative threads block SIGTERM
    /// (the child would never see it).
    @discardableResult
    func stop() async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        return await exit.wait()
    }

    func removeLog() { try? FileManager.default.removeItem(at: log) }
}

/// A process's exit status, for whoever waits for it (before or after the exit).
final class ExitStatus: Sendable {
    private let state = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

    func record(_ status: Int32) {
        let waiters = state.withLock { state in
            state.status = status
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status = state.withLock { state -> Int32? in
                if state.status == nil { state.waiters.append(continuation) }
                return state.status
            }
            if let status { continuation.resume(returning: status) }
        }
    }
}

/// Runs the Python asset-transfer chaincode on a free port while `body` runs, then stops it.
func withChaincodeProcess<T: Sendable>(chaincodeID: String = "basic", environment: [String: String] = [:],
                                       _ body: @escaping @Sendable (ChaincodeProcess) async throws -> T) async throws -> T {
    let chaincode = try ChaincodeProcess(port: try freePort(), chaincodeID: chaincodeID, environment: environment)
    do {
        let result = try await body(chaincode)
        await chaincode.stop()
        chaincode.removeLog()
        return result
    } catch {
        await chaincode.stop()
        let output = chaincode.output
        chaincode.removeLog()
        throw TestFailure("\(error)\n--- the chaincode's output ---\n\(output)")
    }
}
