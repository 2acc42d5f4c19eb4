import FabnetModel
import FabnetWire
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Mutual-TLS listeners and dialers with fabnet's framing and identity-binding handshake.
///
/// Guarantees: a handler only ever sees a connection whose TLS client/server certificate chains
/// to a trusted TLS root *and* whose handshake proved an MSP identity bound to that certificate.
/// Refused (connection closed, process unaffected): no client certificate, a certificate from an
/// untrusted CA, a handshake that is missing, late, badly signed or bound to another certificate,
/// a frame over the size limit or one that does not decode.
public struct Transport: Sendable {
    public let credentials: TransportCredentials
    public let group: any EventLoopGroup
    public let maximumFrameSize: Int
    public let handshakeTimeout: TimeAmount
    /// The node's fault switch (`fabnet fault`), shared by all its transports; nil in clients.
    public let faults: FaultSwitch?

    public init(credentials: TransportCredentials, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                maximumFrameSize: Int = Frame.defaultMaximumSize, handshakeTimeout: TimeAmount = .seconds(2), faults: FaultSwitch? = nil) {
        self.credentials = credentials
        self.group = group
        self.maximumFrameSize = maximumFrameSize
        self.handshakeTimeout = handshakeTimeout
        self.faults = faults ?? credentials.faults
    }

    /// A bound listener; `serve` runs its accept loop.
    ///
    /// Guarantees: stopping it (`close()` or cancelling `serve`) never drops a connection that
    /// NIO accepted: the accept stream is read to its end, and every connection accepted after
    /// the stop, or never read from the stream, is closed properly. (NIO's writer of an accepted
    /// connection must be finished before it is freed, or the process dies of SIGILL; a
    /// connection accepted while the listener closed was dropped by the finished accept stream,
    /// and peers stopped while others kept dialling them died that way.)
    public struct Listener: Sendable {
        let channel: NIOAsyncChannel<Accepted, Never>
        let transport: Transport
        let accepted: AcceptedConnections
        /// The port actually bound (useful with port 0).
        public let port: Int

        /// Stops accepting: the accept loop of `serve` ends once NIO's queue of accepted
        /// connections is read (those are closed); open connections are not touched.
        public func close() {
            accepted.stopAccepting()
            channel.channel.close(promise: nil)
        }

        /// Accepts connections until the listener closes or the task is cancelled; runs
        /// `handler` for each authenticated one, concurrently. Refused connections are reported
        /// to `onRefused` and closed. On cancellation the listener closes, the accept queue is
        /// drained (closing each) and the handlers are cancelled.
        public func serve(
            onRefused: @escaping @Sendable (any Error) -> Void = { _ in },
            handler: @escaping @Sendable (AuthenticatedConnection) async throws -> Void
        ) async throws {
            let channel = channel, transport = transport, registry = accepted
            // The accept loop runs in a task of its own, not as a child of this one: a cancelled
            // task's `for await` ends at once and drops what NIO queued. Cancellation of `serve`
            // reaches it as a closed listener instead, and it reads the queue to its end; once it
            // has (it may already have, after a graceful `close()`), the loop task is cancelled
            // too, so the handlers of connections still open end instead of being waited for.
            let loop = Task {
                do {
                    try await Self.acceptLoop(channel, registry: registry, transport: transport, onRefused: onRefused, handler: handler)
                } catch {
                    await registry.closeUnread()
                    throw error
                }
                await registry.closeUnread()
            }
            try await withTaskCancellationHandler {
                try await loop.value
            } onCancel: {
                let readToTheEnd = registry.cancel()
                channel.channel.close(promise: nil)
                if readToTheEnd { loop.cancel() }
            }
        }

        /// Reads the accept stream to its end, running `handler` for each connection while
        /// accepting and closing the others.
        private static func acceptLoop(
            _ channel: NIOAsyncChannel<Accepted, Never>, registry: AcceptedConnections, transport: Transport,
            onRefused: @escaping @Sendable (any Error) -> Void, handler: @escaping @Sendable (AuthenticatedConnection) async throws -> Void
        ) async throws {
            try await channel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await accepted in inbound {
                        registry.taken(accepted.channel.channel)
                        guard registry.isAccepting else {
                            group.addTask { try? await accepted.channel.executeThenClose { _, _ in } }
                            continue
                        }
                        group.addTask {
                            do {
                                try await transport.run(accepted, expecting: nil, handler: handler)
                            } catch {
                                onRefused(error)
                            }
                        }
                    }
                    // Read to the end. Cancelled already: end the handlers; else `serve`'s
                    // cancellation, if it comes, cancels this task and so the handlers.
                    if registry.finishedReading() { group.cancelAll() }
                }
            }
        }
    }

    /// The connections a listener accepted and its accept loop has not read yet, and whether it
    /// still accepts; shared by the listener's copies, its accept loop and NIO's initializer.
    final class AcceptedConnections: Sendable {
        private struct State {
            var accepting = true
            var cancelled = false
            /// Whether the accept loop read the accept stream to its end.
            var readToTheEnd = false
            /// After the accept loop ended: whatever is accepted now is closed at once.
            var loopEnded = false
            var unread: [ObjectIdentifier: NIOAsyncChannel<ByteBuffer, ByteBuffer>] = [:]
        }
        private let state = Mutex(State())

        var isAccepting: Bool { state.withLock { $0.accepting } }
        var isCancelled: Bool { state.withLock { $0.cancelled } }
        func stopAccepting() { state.withLock { $0.accepting = false } }
        /// Stops accepting for good; returns whether the accept loop has read the stream to its
        /// end (then cancelling its task drops nothing).
        func cancel() -> Bool {
            state.withLock { state in
                state.accepting = false
                state.cancelled = true
                return state.readToTheEnd
            }
        }

        /// The accept loop read the stream to its end; returns whether the listener was cancelled.
        /// (With `cancel()` under one lock: one of the two sees the other, so the handlers of
        /// open connections are cancelled either by the loop or through its task.)
        func finishedReading() -> Bool {
            state.withLock { state in
                state.readToTheEnd = true
                return state.cancelled
            }
        }

        /// Called by NIO's child initializer: keeps `connection` until the loop reads it, or
        /// closes it at once if the loop has ended.
        func accepted(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
            let late = state.withLock { state -> Bool in
                guard !state.loopEnded else { return true }
                state.unread[ObjectIdentifier(connection.channel)] = connection
                return false
            }
            if late { Task { try? await connection.executeThenClose { _, _ in } } }
        }

        /// The accept loop read `channel`: its owner is now the loop.
        func taken(_ channel: any Channel) {
            _ = state.withLock { $0.unread.removeValue(forKey: ObjectIdentifier(channel)) }
        }

        /// After the accept loop: closes every accepted connection it never read.
        func closeUnread() async {
            let unread = state.withLock { state in
                state.loopEnded = true
                defer { state.unread = [:] }
                return Array(state.unread.values)
            }
            await withDiscardingTaskGroup { group in
                for connection in unread { group.addTask { try? await connection.executeThenClose { _, _ in } } }
            }
        }
    }

    /// A connection as accepted or dialed, before its handshakes.
    struct Accepted: Sendable {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        let tlsHandshake: EventLoopFuture<Void>
        /// Opened once the handshake proved the remote: then delay faults hold its frames. None
        /// in a transport without a fault switch (clients): their frames pass no fault handler.
        let faultGate: FaultGate?
    }

    /// Binds `host:port` (use 127.0.0.1; port 0 picks a free one).
    public func listen(host: String = "127.0.0.1", port: Int) async throws -> Listener {
        let context = try credentials.serverContext()
        let maximumFrameSize = self.maximumFrameSize
        let registry = AcceptedConnections()
        let withFaults = faults != nil
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    let accepted = try Self.configure(child, tls: NIOSSLServerHandler(context: context), maximumFrameSize: maximumFrameSize,
                                                      withFaults: withFaults)
                    registry.accepted(accepted.channel)
                    return accepted
                }
            }
        guard let bound = channel.channel.localAddress?.port else {
            try? await channel.channel.close()
            throw TransportError.handshakeRefused(reason: "listener has no port")
        }
        return Listener(channel: channel, transport: self, accepted: registry, port: bound)
    }

    /// Dials `host:port`, checks the server's certificate against `serverHostname`, runs the
    /// handshake and then `body` with the connection (closed when `body` returns). With
    /// `expecting`, a remote of another MSP ID is refused.
    public func connect<Result: Sendable>(
        host: String = "127.0.0.1", port: Int, serverHostname: String, expecting mspID: String? = nil,
        _ body: @escaping @Sendable (AuthenticatedConnection) async throws -> Result
    ) async throws -> Result {
        let context = try credentials.clientContext()
        let maximumFrameSize = self.maximumFrameSize
        let withFaults = faults != nil
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(handshakeTimeout)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Accepted> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try Self.configure(channel, tls: try NIOSSLClientHandler(context: context, serverHostname: serverHostname),
                                   maximumFrameSize: maximumFrameSize, withFaults: withFaults)
            }
        }
        // An IP address is dialled as it is: by name, NIO resolves it first (an A and an AAAA
        // query, each on a thread of its own) and races the answers, for every connection.
        let accepted = if let address = try? SocketAddress(ipAddress: host, port: port) {
            try await bootstrap.connect(to: address, channelInitializer: initializer)
        } else {
            try await bootstrap.connect(host: host, port: port, channelInitializer: initializer)
        }
        return try await run(accepted, expecting: mspID, handler: body)
    }

    static func configure(_ channel: any Channel, tls: some ChannelHandler, maximumFrameSize: Int, withFaults: Bool = false) throws -> Accepted {
        let done = channel.eventLoop.makePromise(of: Void.self)
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(tls)
        try pipeline.addHandler(TLSHandshakeWaiter(done: done))
        try pipeline.addHandler(ByteToMessageHandler(FrameDecoder(maximumFrameSize: maximumFrameSize)))
        let gate = withFaults ? FaultGate() : nil
        if let gate { try pipeline.addHandler(FaultDelayHandler(gate: gate)) }
        try pipeline.addHandler(MessageToByteHandler(FrameEncoder(maximumFrameSize: maximumFrameSize)))
        let asyncChannel = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
        return Accepted(channel: asyncChannel, tlsHandshake: done.futureResult, faultGate: gate)
    }

    /// TLS handshake, identity handshake (with a deadline), then the handler.
    func run<Result: Sendable>(
        _ accepted: Accepted, expecting mspID: String?, handler: @escaping @Sendable (AuthenticatedConnection) async throws -> Result
    ) async throws -> Result {
        let channel = accepted.channel.channel
        let timeout = handshakeTimeout
        let started = NIODeadline.now()
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        return try await accepted.channel.executeThenClose { inbound, outbound in
            var authenticated = false
            do {
                try await accepted.tlsHandshake.get()
                let presented = try await channel.nioSSL_peerCertificate().get()
                try await outbound.write(try TLSBinding.makeHandshake(credentials).frameBuffer())
                let packets = PacketStream(inbound.makeAsyncIterator())
                guard let first = try await packets.next() else {
                    throw NIODeadline.now() - started >= timeout
                        ? TransportError.handshakeTimeout(seconds: Double(timeout.nanoseconds) / 1e9)
                        : TransportError.closedBeforeHandshake
                }
                let remote = try await TLSBinding.verify(first, presented: presented, credentials: credentials)
                if let mspID, remote.mspID != mspID {
                    throw TransportError.unexpectedRemote(expected: mspID, got: remote.mspID)
                }
                deadline.cancel()
                authenticated = true
                // A node connection a fault cuts is refused; an admitted one is cut when a later
                // plan cuts it, and its packets meet the plan's delay and loss.
                var admitted: Int?
                if let faults {
                    guard let token = faults.admit(remote, channel: channel) else {
                        throw TransportError.cutByFault
                    }
                    admitted = token
                    let name = FaultPlan.name(of: remote.pkiID), isNode = FaultSwitch.isNodeByRole(remote)
                    packets.faults = (faults, name, isNode)
                    accepted.faultGate?.open(faults, remote: name, isNodeByRole: isNode)
                }
                defer { if let admitted { faults?.closed(admitted) } }
                return try await handler(AuthenticatedConnection(remote: remote, packets: packets, outbound: outbound))
            } catch {
                deadline.cancel()
                // Closed mid-way (at the deadline, or by the remote), say just after TLS while the
                // certificate was read from a pipeline already torn down: report the cause
                // (timeout, or closed before the handshake), not the symptom. A failed TLS
                // handshake (no client certificate, a foreign CA) is its own cause, though NIO-SSL
                // has closed the channel by the time it is seen.
                if !authenticated, !(error is TransportError) {
                    if NIODeadline.now() - started >= timeout { throw TransportError.handshakeTimeout(seconds: Double(timeout.nanoseconds) / 1e9) }
                    if !(error is NIOSSLError), !(error is BoringSSLError), !channel.isActive { throw TransportError.closedBeforeHandshake }
                }
                throw error
            }
        }
    }

}
