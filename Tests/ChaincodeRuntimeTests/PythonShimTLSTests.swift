@testable import ChaincodeRuntime
import FabricWire
import Foundation
import Synchronization
import Testing

/// The client dials Hyperledger's Python shim over TLS, presenting a client certificate the shim
/// requires (Fabric's `client_auth_required`). Runs only where `make fabric-venv` made `.venv-fabric`.
@Suite(.enabled(if: ChaincodeProcess.available, "needs `make fabric-venv`"), .timeLimit(.minutes(3)))
struct PythonShimTLSTests {
    func environment(_ material: TLSMaterial) -> [String: String] {
        ["CORE_TLS_CLIENT_KEY_PATH": material.serverKey.path,
         "CORE_TLS_CLIENT_CERT_PATH": material.serverCertificate.path,
         "CORE_PEER_TLS_ROOTCERT_FILE": material.caCertificate.path]
    }

    func call(_ client: ChaincodeClient, _ txID: String) async throws -> ChaincodeInvocation {
        let args = ["CreateAsset", "asset1", "blue", "5", "Tom", "300"]
        return try await client.invoke(channel: "mychannel", txID: txID,
                                       signedProposal: try signedProposal(channel: "mychannel", txID: txID, chaincode: "basic", args: args),
                                       input: input(args), state: InMemoryCommittedState(), timeout: .seconds(30))
    }

    @Test func aCallGoesThroughMutualTLS() async throws {
        let material = try TLSMaterial()
        defer { material.remove() }
        let tls = ChaincodeTLS(rootCertificatesPEM: try Data(contentsOf: material.caCertificate),
                               clientCertificatePEM: try Data(contentsOf: material.clientCertificate),
                               clientKeyPEM: try Data(contentsOf: material.clientKey))
        try await withChaincodeProcess(environment: environment(material)) { chaincode in
            let client = ChaincodeClient(name: "basic", endpoint: ChaincodeEndpoint(host: "127.0.0.1", port: chaincode.port, tls: tls))
            try await withRunning(client) {
                try await client.waitUntilReady(timeout: .seconds(60))
                let invocation = try await self.call(client, "tx-tls")
                #expect(invocation.response.status == 200, "\(invocation.response.message)")
                #expect(try invocation.readWriteSet.set("basic").writes.map(\.key) == ["asset1"])
            }
        }
    }

    @Test func anUntrustedServerIsRefusedClearly() async throws {
        let material = try TLSMaterial()
        let other = try TLSMaterial()
        defer {
            material.remove()
            other.remove()
        }
        // The client trusts another CA than the one that issued the chaincode's certificate.
        let tls = ChaincodeTLS(rootCertificatesPEM: try Data(contentsOf: other.caCertificate),
                               clientCertificatePEM: try Data(contentsOf: material.clientCertificate),
                               clientKeyPEM: try Data(contentsOf: material.clientKey))
        try await withChaincodeProcess(environment: environment(material)) { chaincode in
            try await chaincode.waitUntilListening()
            let client = ChaincodeClient(name: "basic", endpoint: ChaincodeEndpoint(host: "127.0.0.1", port: chaincode.port, tls: tls),
                                         options: .init(initialBackoff: .seconds(30), maximumBackoff: .seconds(30)))
            try await withRunning(client) {
                let error = try await waitForFailure(of: client, seconds: 30)
                guard case .unavailable(_, let address, let reason) = error else { throw TestFailure("expected unavailable, got \(error)") }
                #expect(address == "127.0.0.1:\(chaincode.port)")
                let lowered = reason.lowercased()
                #expect(lowered.contains("certificate") || lowered.contains("tls") || lowered.contains("ssl") || lowered.contains("handshake"),
                        "the reason names the TLS failure: \(reason)")
                await #expect(throws: error) { try await self.call(client, "tx-untrusted") }
            }
        }
    }
}

/// The error of the client's first failed connection attempt, waiting at most `seconds`.
func waitForFailure(of client: ChaincodeClient, seconds: Double = 10) async throws -> ChaincodeError {
    let failure = Mutex<ChaincodeError?>(nil)
    try await waitUntil("the connection attempt fails", seconds: seconds) {
        guard case .unavailable(let error) = client.connectionState else { return false }
        failure.withLock { $0 = error }
        return true
    }
    return try #require(failure.withLock { $0 })
}
