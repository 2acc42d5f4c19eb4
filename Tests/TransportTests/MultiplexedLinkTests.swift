import FabnetClient
import FabnetWire
import Foundation
import Orchestrator
import Synchronization
import Testing
@testable import Transport

/// A gateway's long-lived link: answers matched by stream whatever their order, one connection
/// for many requests, and a closed connection failing what waits and reopening for what follows.
@Suite struct MultiplexedLinkTests {
    /// A node that collects `batch` requests on a connection, answers them in reverse order on
    /// their streams (a broadcast answered with its envelope's payload as the info), then closes
    /// the connection when told to by a request whose payload is "close".
    final class ReversingServer: Sendable {
        let listener: Transport.Listener
        let connections = Tally()
        /// Requests received and not answered yet.
        let holding = Tally()
        private let task: Task<Void, any Error>

        init(_ credentials: TransportCredentials, batch: Int) async throws {
            let listener = try await Transport(credentials: credentials).listen(port: 0)
            self.listener = listener
            let connections = self.connections
            let holding = self.holding
            task = Task {
                try await listener.serve(onRefused: { _ in }) { connection in
                    connections.add(1)
                    var held: [WirePacket] = []
                    for try await packet in connection.packets {
                        if packet.broadcast.payload == Data("close".utf8) { return }
                        held.append(packet)
                        holding.set(held.count)
                        guard held.count == batch else { continue }
                        for request in held.reversed() {
                            var answer = WirePacket()
                            answer.stream = request.stream
                            answer.broadcastResponse = .with {
                                $0.status = .success
                                $0.info = String(decoding: request.broadcast.payload, as: UTF8.self)
                            }
                            try await connection.send(answer)
                        }
                        held = []
                        holding.set(0)
                    }
                }
            }
        }

        /// Stops serving and waits until the server's task has ended.
        func stop() async {
            task.cancel()
            _ = await task.result
        }
    }

    static func envelope(_ text: String) -> WireEnvelope {
        var envelope = WireEnvelope()
        envelope.payload = Data(text.utf8)
        return envelope
    }

    @Test func answersReachTheirRequestsAndAClosedConnectionIsReopened() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let server = try await ReversingServer(try network.peer(1, 0), batch: 3)
        let link = MultiplexedLink(transport: Transport(credentials: try network.peer(2, 0)), port: server.listener.port,
                                   serverHostname: "peer0.org1.example.com")
        defer { link.close() }

        let answers = try await withDeadline(seconds: 20, "three answers") {
            try await withThrowingTaskGroup(of: (String, String).self) { group in
                for name in ["a", "b", "c"] {
                    group.addTask { (name, try await link.broadcast(Self.envelope(name)).info) }
                }
                var answers: [String: String] = [:]
                for try await (name, info) in group { answers[name] = info }
                return answers
            }
        }
        #expect(answers == ["a": "a", "b": "b", "c": "c"], "each request gets the answer on its own stream")
        #expect(server.connections.value == 1, "one connection carries them all")

        // The server drops the connection with a request waiting: it fails, it does not hang.
        let waiting = Task { try await link.broadcast(Self.envelope("unanswered")) }
        try await eventually(seconds: 20, "the server to hold the request") { server.holding.value == 1 }
        try await withDeadline(seconds: 20, "the server to drop the connection") {
            _ = try? await link.broadcast(Self.envelope("close"))
        }
        let failure = try await withDeadline(seconds: 20, "the waiting request to fail") { await waiting.result }
        #expect(throws: (any Error).self) { try failure.get() }

        // The next requests open a new connection.
        let again = try await withDeadline(seconds: 20, "answers on a new connection") {
            try await withThrowingTaskGroup(of: String.self) { group in
                for name in ["x", "y", "z"] { group.addTask { try await link.broadcast(Self.envelope(name)).info } }
                var infos: [String] = []
                for try await info in group { infos.append(info) }
                return infos.sorted()
            }
        }
        #expect(again == ["x", "y", "z"])
        #expect(server.connections.value == 2)

        link.close()
        await #expect(throws: ClientError.self) { try await link.broadcast(Self.envelope("late")) }
        await server.stop()
    }

    @Test func aCancelledRequestStopsWaitingAndItsLateAnswerIsDropped() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let server = try await ReversingServer(try network.peer(1, 0), batch: 3)
        let link = MultiplexedLink(transport: Transport(credentials: try network.peer(2, 0)), port: server.listener.port,
                                   serverHostname: "peer0.org1.example.com")
        defer { link.close() }
        let abandoned = Task { try await link.broadcast(Self.envelope("abandoned")) }
        try await eventually(seconds: 20, "the server to hold the request") { server.holding.value == 1 }
        abandoned.cancel()
        let outcome = try await withDeadline(seconds: 20, "the cancelled request to end") { await abandoned.result }
        #expect(throws: CancellationError.self) { try outcome.get() }
        // Its answer comes with the next two (the server answers in threes) and goes nowhere.
        let answers = try await withDeadline(seconds: 20, "two answers") {
            try await withThrowingTaskGroup(of: String.self) { group in
                for name in ["p", "q"] { group.addTask { try await link.broadcast(Self.envelope(name)).info } }
                var infos: [String] = []
                for try await info in group { infos.append(info) }
                return infos.sorted()
            }
        }
        #expect(answers == ["p", "q"])
        link.close()
        await server.stop()
    }

    @Test func aNodeThatCannotBeReachedFailsTheRequestInsteadOfHanging() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let link = MultiplexedLink(transport: Transport(credentials: try network.peer(2, 0)), port: try freePort(),
                                   serverHostname: "peer0.org1.example.com")
        defer { link.close() }
        let outcome = try await withDeadline(seconds: 30, "the request to fail") {
            await Task { try await link.broadcast(Self.envelope("nobody")) }.result
        }
        #expect(throws: (any Error).self) { try outcome.get() }
    }
}

/// A number several tasks update.
final class Tally: Sendable {
    private let state = Mutex(0)
    var value: Int { state.withLock { $0 } }
    func add(_ amount: Int) { state.withLock { $0 += amount } }
    func set(_ value: Int) { state.withLock { $0 = value } }
}
