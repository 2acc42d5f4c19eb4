@testable import ChaincodeRuntime
import FabricWire
import Foundation
import Testing

/// A shim on the far side of an accepted Register stream, in memory: what it sends reaches the
/// client's `accept`, what the client sends arrives in `received`.
final class FakeRegistration: Sendable {
    let inbound: AsyncThrowingStream<Protos_ChaincodeMessage, any Error>
    let toPeer: AsyncThrowingStream<Protos_ChaincodeMessage, any Error>.Continuation
    let received: AsyncStream<Protos_ChaincodeMessage>
    private let toShim: AsyncStream<Protos_ChaincodeMessage>.Continuation

    init() {
        (inbound, toPeer) = AsyncThrowingStream.makeStream(of: Protos_ChaincodeMessage.self)
        (received, toShim) = AsyncStream.makeStream(of: Protos_ChaincodeMessage.self)
    }

    var send: @Sendable (Protos_ChaincodeMessage) async throws -> Void { { [toShim] in toShim.yield($0) } }

    static func register(_ id: String) -> Protos_ChaincodeMessage {
        .with {
            $0.type = .register
            $0.payload = try! Protos_ChaincodeID.with { $0.name = id }.serializedBytes()
        }
    }
}

/// A ``ChaincodeClient`` whose chaincode dials in: the same ShimHandler drives an accepted stream.
@Suite(.timeLimit(.minutes(1)))
struct DialInClientTests {
    func client() -> ChaincodeClient {
        ChaincodeClient(name: "counter", source: .dialIn(peerAddress: "127.0.0.1:7051"))
    }

    func call(_ client: ChaincodeClient, _ txID: String) async throws -> ChaincodeInvocation {
        try await client.invoke(channel: "mychannel", txID: txID,
                                signedProposal: try signedProposal(channel: "mychannel", txID: txID, chaincode: "counter", args: ["inc"]),
                                input: input(["inc"]), state: InMemoryCommittedState(), timeout: .seconds(10))
    }

    /// Registers a fake shim as `id` from `remote`; the shim and the task that ends with the stream's reason.
    func register(_ client: ChaincodeClient, as id: String = "counter", from remote: String) -> (FakeRegistration, Task<ChaincodeError, Never>) {
        let shim = FakeRegistration()
        let ended = Task { await client.accept(register: FakeRegistration.register(id), from: remote, inbound: shim.inbound, send: shim.send) }
        return (shim, ended)
    }

    /// Reads what the peer sent until a TRANSACTION and answers COMPLETED with `payload`.
    func answerNextTransaction(_ shim: FakeRegistration, with payload: String) async throws {
        for await message in shim.received where message.type == .transaction {
            let response = Protos_Response.with { $0.status = 200; $0.payload = Data(payload.utf8) }
            shim.toPeer.yield(.with {
                $0.type = .completed
                $0.txid = message.txid
                $0.channelID = message.channelID
                $0.payload = try! response.serializedBytes()
            })
            return
        }
        throw TestFailure("the stream to the shim ended before a TRANSACTION")
    }

    @Test func beforeAnyRegistrationACallFailsAtOnceSayingHowToStartTheChaincode() async throws {
        let client = client()
        try await withRunning(client) {
            let started = ContinuousClock.now
            let error = await #expect(throws: ChaincodeError.self) { try await self.call(client, "tx1") }
            #expect(ContinuousClock.now - started < .seconds(1))
            #expect(error == .notRegistered(chaincode: "counter", chaincodeID: "counter", peerAddress: "127.0.0.1:7051", lastEnd: nil))
            let text = "\(error.map { "\($0)" } ?? "")"
            #expect(text.contains("CORE_PEER_ADDRESS=127.0.0.1:7051 CORE_CHAINCODE_ID_NAME=counter"), "\(text)")
        }
    }

    @Test func anAcceptedStreamServesCallsAndANewerRegistrationReplacesIt() async throws {
        let client = client()
        try await withRunning(client) {
            let (first, firstEnded) = register(client, as: "counter:1.0", from: "shim-1")
            try await waitUntil("the registration is served") { client.connectionState == .ready }
            async let answered: Void = self.answerNextTransaction(first, with: "one")
            #expect(try await self.call(client, "tx1").response.payload == Data("one".utf8))
            try await answered

            // A second registration (the developer restarted the chaincode): the first stream ends.
            let (second, secondEnded) = register(client, from: "shim-2")
            #expect(await firstEnded.value == .replaced(chaincode: "counter", address: "shim-1"))
            try await waitUntil("the registration is served") { client.connectionState == .ready }
            async let answeredAgain: Void = self.answerNextTransaction(second, with: "two")
            #expect(try await self.call(client, "tx2").response.payload == Data("two".utf8))
            try await answeredAgain

            // The chaincode ends its stream: calls fail at once, saying how it ended and how to start it.
            second.toPeer.finish()
            #expect(await secondEnded.value == .streamClosed(chaincode: "counter", address: "shim-2", reason: "the chaincode ended the stream"))
            let error = await #expect(throws: ChaincodeError.self) { try await self.call(client, "tx3") }
            #expect(error == .notRegistered(chaincode: "counter", chaincodeID: "counter", peerAddress: "127.0.0.1:7051",
                                            lastEnd: "the chaincode ended the stream"))
        }
    }

    @Test func aCallInFlightFailsWhenItsStreamIsReplaced() async throws {
        let client = client()
        try await withRunning(client) {
            let (first, firstEnded) = register(client, from: "shim-1")
            try await waitUntil("the registration is served") { client.connectionState == .ready }
            let pending = Task { try await self.call(client, "tx-pending") }
            for await message in first.received where message.type == .transaction { break }
            let (second, secondEnded) = register(client, from: "shim-2")
            let error = await #expect(throws: ChaincodeError.self) { try await pending.value }
            #expect("\(error.map { "\($0)" } ?? "")".contains("the newer registration replaced the stream from shim-1"), "\(String(describing: error))")
            #expect(await firstEnded.value == .replaced(chaincode: "counter", address: "shim-1"))
            second.toPeer.finish()
            _ = await secondEnded.value
        }
    }

    @Test func aClientThatDialsRefusesRegistrations() async throws {
        let client = ChaincodeClient(name: "counter", endpoint: ChaincodeEndpoint(host: "127.0.0.1", port: 1))
        let shim = FakeRegistration()
        let reason = await client.accept(register: FakeRegistration.register("counter"), from: "shim", inbound: shim.inbound, send: shim.send)
        guard case .protocolViolation(_, _, let detail) = reason else { throw TestFailure("expected a refusal, got \(reason)") }
        #expect(detail.contains("without --address"), "\(detail)")
    }
}
