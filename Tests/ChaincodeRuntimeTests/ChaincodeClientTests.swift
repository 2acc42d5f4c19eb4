@testable import ChaincodeRuntime
import FabricWire
import Foundation
import Orchestrator
import Testing

/// The client against a chaincode server written in Swift (``FakeShim``): calls, failures that
/// must be fast and clear, timeouts, reconnection.
@Suite(.timeLimit(.minutes(2)))
struct ChaincodeClientTests {
    static let fastRetries = ChaincodeClient.Options(registrationTimeout: .seconds(2), initialBackoff: .milliseconds(50),
                                                     maximumBackoff: .milliseconds(200))

    /// Retries slow enough that a failure stays visible while the test looks at it.
    static func slowRetries(registrationTimeout: Duration = .seconds(2)) -> ChaincodeClient.Options {
        .init(registrationTimeout: registrationTimeout, initialBackoff: .seconds(30), maximumBackoff: .seconds(30))
    }

    func client(port: Int, id: String? = nil, options: ChaincodeClient.Options = ChaincodeClientTests.fastRetries) -> ChaincodeClient {
        ChaincodeClient(name: "counter", chaincodeID: id, endpoint: ChaincodeEndpoint(host: "127.0.0.1", port: port), options: options)
    }

    func call(_ client: ChaincodeClient, _ txID: String, args: [String] = ["Inc"], state: InMemoryCommittedState = InMemoryCommittedState(),
              timeout: Duration = .seconds(10)) async throws -> ChaincodeInvocation {
        try await client.invoke(channel: "mychannel", txID: txID,
                                signedProposal: try signedProposal(channel: "mychannel", txID: txID, chaincode: "counter", args: args),
                                input: input(args), state: state, timeout: timeout)
    }

    @Test func aCallGoesThroughTheStreamWithItsReadWriteSet() async throws {
        let state = {
            var state = InMemoryCommittedState()
            state.set(namespace: "counter", key: "counter", value: bytes("1"), block: 7, transaction: 3)
            return state
        }()
        let invocation = try await withFakeChaincode(.register("counter")) { port in
            let client = self.client(port: port)
            return try await withRunning(client) {
                try await client.waitUntilReady(timeout: .seconds(20))
                #expect(client.connectionState == .ready)
                return try await self.call(client, "tx1", state: state)
            }
        }
        #expect(invocation.response.status == 200)
        #expect(invocation.response.payload == bytes("saw 1"))
        let set = try invocation.readWriteSet.set("counter")
        #expect(set.reads.map(\.key) == ["counter"] && set.reads[0].version == version(7, 3))
        #expect(set.writes.map(\.value) == [bytes("1+")])
    }

    @Test func callsOneAfterAnotherUseTheSameStream() async throws {
        try await withFakeChaincode(.register("counter")) { port in
            let client = self.client(port: port)
            try await withRunning(client) {
                try await client.waitUntilReady(timeout: .seconds(20))
                for number in 1...5 {
                    let invocation = try await self.call(client, "tx\(number)")
                    #expect(invocation.response.payload == bytes("saw "))
                }
            }
        }
    }

    @Test func aChaincodeThatIsDownFailsFastSayingWhereAndWhatToDo() async throws {
        let port = try freePort()
        let client = self.client(port: port)
        let started = ContinuousClock.now
        let error = try await withRunning(client) {
            await #expect(throws: ChaincodeError.self) { try await self.call(client, "tx1", timeout: .seconds(30)) }
        }
        #expect(ContinuousClock.now - started < .seconds(10), "fails fast, not at the call's 30 s timeout")
        let description = try #require(error).description
        #expect(description.contains("127.0.0.1:\(port)"), "\(description)")
        #expect(description.contains("CHAINCODE_SERVER_ADDRESS"), "\(description)")
    }

    @Test func aCallWithoutRunFailsAtOnce() async throws {
        let client = self.client(port: try freePort())
        await #expect(throws: ChaincodeError.notRunning(chaincode: "counter", address: client.address)) {
            try await self.call(client, "tx1")
        }
    }

    @Test func aServerThatNeverRegistersTimesOut() async throws {
        try await withFakeChaincode(.silent) { port in
            let client = self.client(port: port, options: Self.slowRetries(registrationTimeout: .milliseconds(500)))
            try await withRunning(client) {
                let error = try await waitForFailure(of: client)
                guard case .registrationTimedOut = error else {
                    throw TestFailure("expected a registration timeout, got \(error)")
                }
                #expect(error.description.contains("did not register within 0.50 s"), "\(error)")
                await #expect(throws: error) { try await self.call(client, "tx1") }
            }
        }
    }

    @Test func aChaincodeRegisteringUnderAnotherIDIsRefused() async throws {
        try await withFakeChaincode(.register("someone-else")) { port in
            let client = self.client(port: port, id: "counter:1.0", options: Self.slowRetries())
            try await withRunning(client) {
                let error = try await waitForFailure(of: client)
                #expect(error == .wrongChaincodeID(chaincode: "counter", address: "127.0.0.1:\(port)", registered: "someone-else", expected: "counter:1.0"))
            }
        }
    }

    @Test func aCallTheChaincodeNeverAnswersEndsAtItsTimeout() async throws {
        try await withFakeChaincode(.register("counter")) { port in
            let client = self.client(port: port)
            try await withRunning(client) {
                try await client.waitUntilReady(timeout: .seconds(20))
                let started = ContinuousClock.now
                let error = await #expect(throws: ChaincodeError.self) {
                    try await self.call(client, "tx1", args: ["hang"], timeout: .milliseconds(500))
                }
                guard case .timedOut(_, _, let key, _)? = error else { throw TestFailure("expected a timeout, got \(String(describing: error))") }
                #expect(key.txID == "tx1")
                #expect(ContinuousClock.now - started < .seconds(5))
                #expect(client.connectionState == .ready, "a timeout does not break the stream")
            }
        }
    }

    @Test func theClientReconnectsWhenTheChaincodeComesBack() async throws {
        let port = try freePort()
        let client = self.client(port: port)
        try await withRunning(client) {
            try await withFakeChaincode(.register("counter"), port: port) { _ in
                try await client.waitUntilReady(timeout: .seconds(20))
                _ = try await self.call(client, "before")
            }
            // The server is gone: calls fail, and clearly.
            let error = await #expect(throws: ChaincodeError.self) {
                try await withDeadline(seconds: 10, "a call while the chaincode is down") { try await self.call(client, "down") }
            }
            #expect(error?.description.contains("127.0.0.1:\(port)") == true, "\(String(describing: error))")
            try await withFakeChaincode(.register("counter"), port: port) { _ in
                try await client.waitUntilReady(timeout: .seconds(20))
                let invocation = try await self.call(client, "after")
                #expect(invocation.response.status == 200)
            }
        }
    }

    @Test func anAddressIsParsedOrRefusedSayingWhatToWrite() throws {
        #expect(try ChaincodeEndpoint(address: "127.0.0.1:9999") == ChaincodeEndpoint(host: "127.0.0.1", port: 9999))
        #expect(try ChaincodeEndpoint(address: "[::1]:7052").host == "::1")
        #expect(try ChaincodeEndpoint(address: "cc.example.com:443").description == "cc.example.com:443")
        for bad in ["127.0.0.1", ":9999", "host:0", "host:70000", "host:port"] {
            #expect(throws: ChaincodeEndpointError.badAddress(bad)) { try ChaincodeEndpoint(address: bad) }
        }
        #expect(ChaincodeEndpointError.badAddress("x").description.contains("host:port"))
    }
}
