import FabnetWire
import Foundation
import Synchronization
import Transport

/// One long-lived fabnet connection to a node, on which many request → answer exchanges run at
/// once, told apart by the packet's `stream` (a gateway's endorsements and submissions: a new
/// mutual-TLS connection per request would cost a handshake, several signatures and their
/// checks, each time).
///
/// Guarantees:
/// - The connection is opened on the first request and again on the first request after it
///   closed; requests waiting for it share one attempt, and its failure fails them all; a
///   request cancelled while it waits for the connection stops waiting at once.
/// - Each request gets a stream number unused on this link and is answered by the first packet
///   the node sends back with that number; a request whose task is cancelled stops waiting at
///   once (a late answer is dropped).
/// - When the connection ends, every request still waiting fails with
///   ``ClientError/closedEarly(_:)`` naming the node; nothing waits forever.
/// - ``close()`` ends the connection and fails what waits; later requests fail at once.
public final class MultiplexedLink: Sendable {
    /// What the link holds, under its lock: the open connection, the requests waiting for one to
    /// open (by ticket) and for their answers (by stream), the task that holds the connection.
    private struct State {
        var connection: AuthenticatedConnection?
        var connecting: [UInt64: CheckedContinuation<AuthenticatedConnection, any Error>]?
        var pending: [UInt64: CheckedContinuation<WirePacket, any Error>] = [:]
        var nextStream: UInt64 = 1
        var nextTicket: UInt64 = 1
        var runner: Task<Void, Never>?
        var closed = false
    }

    private let transport: Transport
    private let host: String
    private let port: Int
    private let serverHostname: String
    private let state = Mutex(State())

    public init(transport: Transport, host: String = "127.0.0.1", port: Int, serverHostname: String) {
        self.transport = transport
        self.host = host
        self.port = port
        self.serverHostname = serverHostname
    }

    private var name: String { "\(serverHostname) (\(host):\(port))" }

    /// Sends `packet` (its `stream` is set here) and returns the node's answer on that stream.
    public func request(_ packet: WirePacket) async throws -> WirePacket {
        let connection = try await connection()
        var packet = packet
        let stream = state.withLock { state in
            defer { state.nextStream += 1 }
            return state.nextStream
        }
        packet.stream = stream
        let outgoing = packet
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WirePacket, any Error>) in
                let accepted = state.withLock { state -> Bool in
                    guard !state.closed, !Task.isCancelled else { return false }
                    state.pending[stream] = continuation
                    return true
                }
                guard accepted else {
                    continuation.resume(throwing: Task.isCancelled ? CancellationError() : ClientError.closedEarly("the link to \(name) is closed"))
                    return
                }
                Task {
                    do {
                        try await connection.send(outgoing)
                    } catch {
                        self.fail(stream, error)
                    }
                }
            }
        } onCancel: {
            fail(stream, CancellationError())
        }
    }

    /// Ends the connection; what waits fails, and so does every later request.
    public func close() {
        let (runner, waiting, connecting) = state.withLock { state in
            state.closed = true
            defer { state.pending = [:]; state.connecting = nil; state.runner = nil; state.connection = nil }
            return (state.runner, Array(state.pending.values), Array((state.connecting ?? [:]).values))
        }
        runner?.cancel()
        let error = ClientError.closedEarly("the link to \(name) was closed")
        for continuation in waiting { continuation.resume(throwing: error) }
        for continuation in connecting { continuation.resume(throwing: error) }
    }

    private func fail(_ stream: UInt64, _ error: any Error) {
        state.withLock { $0.pending.removeValue(forKey: stream) }?.resume(throwing: error)
    }

    /// The open connection, opening it (once for all waiting requests) when there is none; a
    /// caller whose task is cancelled stops waiting at once.
    private func connection() async throws -> AuthenticatedConnection {
        let ticket = state.withLock { state in
            defer { state.nextTicket += 1 }
            return state.nextTicket
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let refusal: (any Error)? = state.withLock { state in
                    if state.closed { return ClientError.closedEarly("the link to \(name) is closed") }
                    if Task.isCancelled { return CancellationError() }
                    if let connection = state.connection {
                        continuation.resume(returning: connection)
                        return nil
                    }
                    if state.connecting != nil {
                        state.connecting?[ticket] = continuation
                        return nil
                    }
                    // The first to wait starts the attempt, under the same lock `close()` takes.
                    state.connecting = [ticket: continuation]
                    state.runner = Task { await self.run() }
                    return nil
                }
                if let refusal { continuation.resume(throwing: refusal) }
            }
        } onCancel: {
            state.withLock { $0.connecting?.removeValue(forKey: ticket) }?.resume(throwing: CancellationError())
        }
    }

    /// Holds the connection open and hands each answer to its request, until the connection
    /// ends or ``close()``.
    private func run() async {
        var failure: any Error = ClientError.closedEarly("\(name) closed the connection")
        do {
            try await transport.connect(host: host, port: port, serverHostname: serverHostname) { connection in
                let waiting = self.state.withLock { state -> [CheckedContinuation<AuthenticatedConnection, any Error>]? in
                    guard !state.closed else { return nil }  // closed while connecting: let it go
                    defer { state.connecting = nil }
                    state.connection = connection
                    return Array((state.connecting ?? [:]).values)
                }
                guard let waiting else { return }
                for continuation in waiting { continuation.resume(returning: connection) }
                for try await packet in connection.packets {
                    self.state.withLock { $0.pending.removeValue(forKey: packet.stream) }?.resume(returning: packet)
                }
            }
        } catch {
            failure = error is CancellationError ? ClientError.closedEarly("the link to \(name) was closed") : error
        }
        let (waiting, connecting) = state.withLock { state in
            defer { state.pending = [:]; state.connecting = nil; state.connection = nil; state.runner = nil }
            return (Array(state.pending.values), Array((state.connecting ?? [:]).values))
        }
        for continuation in waiting { continuation.resume(throwing: failure) }
        for continuation in connecting { continuation.resume(throwing: failure) }
    }
}
