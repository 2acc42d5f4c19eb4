import CoreMetrics
import FabnetModel
import FabnetWire
import Logging
import NIOCore
import OperationsEndpoint
import Synchronization
import Transport

/// Outgoing gossip connections over mutual TLS: the `GossipTransport` a peer process runs on.
/// A thin shell around `ConnectionTable`, which makes every decision (dial, queue, drop, retry,
/// give up, which dials a returning peer makes stale, what to log); this class owns the sockets,
/// the queues and the dial tasks, and only carries out what the table returns.
///
/// Guarantees: sends never block the caller (each connection has a bounded queue, 4,096
/// packets; when it is full, or the table drops the packet, it is counted in `dropped`, which
/// gossip tolerates: pull and state transfer repair it); a connection whose remote proves
/// another PKI-ID than expected is closed; packets the remote sends back go to the receiver with
/// the endpoint dialled; packets to a peer go back on a connection it opened to this node while
/// this side has none of its own to it (`returnPath`). Each connection is a child task of the
/// peer service's `run()` (through `ChildTasks`), so none outlives the service; its retry waits
/// are on the tasks' clock.
final class PeerConnections: GossipTransport {
    private struct State {
        var table: ConnectionTable
        /// The queue of each connection in the table.
        var queues: [ConnectionTable.ConnectionID: AsyncStream<ByteBuffer>.Continuation] = [:]
        var receiver: @Sendable (ReturnedPacket) async -> Void = { _ in }
    }

    /// Packets a connection holds before sends to it are dropped.
    static let queueCapacity = 4096

    private let transport: Transport
    private let tasks: ChildTasks
    private let clock: any NodeClock
    private let logger: Logger
    private let sentBytes: Counter
    private let dropped: Counter
    private let state: Mutex<State>

    /// `sentBytes` counts bytes of frames sent, `dropped` packets dropped (queue full, or the
    /// endpoint recently unreachable); `log` gets "cannot reach" and "connection ended" lines.
    init(transport: Transport, tasks: ChildTasks, log: Logger, sentBytes: Counter, dropped: Counter, table: ConnectionTable = ConnectionTable()) {
        self.transport = transport
        self.tasks = tasks
        clock = tasks.clock
        logger = log
        self.sentBytes = sentBytes
        self.dropped = dropped
        state = Mutex(State(table: table))
    }

    private func log(_ line: String?) {
        if let line { logger.info("\(line)") }
    }

    static func key(_ id: ConnectionTable.ConnectionID) -> String { "dial:\(id)" }

    func deliverReturnedPackets(to receiver: @escaping @Sendable (ReturnedPacket) async -> Void) {
        state.withLock { $0.receiver = receiver }
    }

    func send(encoded packet: ByteBuffer, to endpoint: Endpoint, expecting: PKIID?) {
        let now = clock.now
        let accepted = state.withLock { state -> Bool in
            switch state.table.send(to: endpoint, expecting: expecting, now: now) {
            case .enqueue(let id):
                guard case .enqueued = state.queues[id]?.yield(packet) else { return false }
                return true
            case .drop:
                return false
            case .dial(let id):
                startDial(id, to: endpoint, in: &state).yield(packet)
                return true
            }
        }
        if !accepted { dropped.increment() }
    }

    func connect(to endpoint: Endpoint, expecting: PKIID) {
        let now = clock.now
        state.withLock { state in
            // An existing connection (or one dialling) serves; a refused one is left alone.
            guard case .dial(let id) = state.table.send(to: endpoint, expecting: expecting, now: now) else { return }
            startDial(id, to: endpoint, in: &state)
        }
    }

    /// Gives the new connection `id` its queue and starts its dial task; returns the queue.
    @discardableResult
    private func startDial(_ id: ConnectionTable.ConnectionID, to endpoint: Endpoint, in state: inout State) -> AsyncStream<ByteBuffer>.Continuation {
        let (stream, queue) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(Self.queueCapacity))
        state.queues[id] = queue
        tasks.start(Self.key(id)) { await self.dial(id, to: endpoint, sending: stream) }
        return queue
    }

    func currentConnections() -> [GossipConnectionSummary] {
        state.withLock { state in
            state.table.connections.map { endpoint, connection in
                GossipConnectionSummary(endpoint: "\(endpoint)", state: connection.phase == .open ? "open" : "dialing")
            }
        }.sorted { $0.endpoint < $1.endpoint }
    }

    func peerIsBack(_ peer: PKIID) {
        close(state.withLock { $0.table.peerIsBack(peer) })
    }

    func closeAll() {
        close(state.withLock { $0.table.closeAll() })
    }

    func returnPath(to peer: PKIID, over connection: AuthenticatedConnection) -> @Sendable () async -> Void {
        let (stream, queue) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(Self.queueCapacity))
        let id = state.withLock { state -> ConnectionTable.ConnectionID in
            let (id, replaced) = state.table.accept(from: peer)
            if let replaced { state.queues.removeValue(forKey: replaced)?.finish() }
            state.queues[id] = queue
            return id
        }
        let sentBytes = sentBytes
        return { [self] in
            for await packet in stream {
                guard let size = try? await connection.send(encoded: packet) else { break }
                sentBytes.increment(by: size)
            }
            let ended = state.withLock { state -> AsyncStream<ByteBuffer>.Continuation? in
                state.table.acceptedEnded(id, from: peer)
                return state.queues.removeValue(forKey: id)
            }
            ended?.finish()
        }
    }

    /// Finishes the queues of connections the table removed and cancels their tasks.
    private func close(_ ids: [ConnectionTable.ConnectionID]) {
        for id in ids {
            state.withLock { $0.queues.removeValue(forKey: id) }?.finish()
            tasks.cancel(Self.key(id))
        }
    }

    /// Finishes the queue of a connection the table removed (its own task is ending).
    private func finishQueue(_ id: ConnectionTable.ConnectionID) {
        state.withLock { $0.queues.removeValue(forKey: id) }?.finish()
    }

    /// Dials `endpoint` for connection `id` (again, while the table says retry), then exchanges
    /// packets until the connection ends.
    private func dial(_ id: ConnectionTable.ConnectionID, to endpoint: Endpoint, sending stream: AsyncStream<ByteBuffer>) async {
        while true {
            // Set once the handshake succeeded: only failures before it are dial failures.
            let connected = Mutex(false)
            let failure: any Error
            do {
                try await transport.connect(port: endpoint.port, serverHostname: endpoint.host) { connection in
                    connected.withLock { $0 = true }
                    let now = self.clock.now
                    switch self.state.withLock({ $0.table.connected(id, to: endpoint, proved: connection.remote.pkiID, now: now) }) {
                    case .exchange(let line):
                        self.log(line)
                    case .refuse(let reason):
                        self.finishQueue(id)
                        self.log("connection to \(endpoint) refused: \(reason)")
                        throw PeerError.notAllowed(reason)
                    case .abandon:
                        return
                    }
                    try await self.exchange(over: connection, from: endpoint, sending: stream)
                }
                ended(id, endpoint, failure: nil)
                return
            } catch {
                failure = error
            }
            let cancelled = Task.isCancelled || failure is CancellationError
            if connected.withLock({ $0 }) {
                ended(id, endpoint, failure: cancelled ? nil : "\(failure)")
                return
            }
            let now = clock.now
            switch state.withLock({ $0.table.dialFailed(id, to: endpoint, reason: "\(failure)", cancelled: cancelled, now: now) }) {
            case .retry(let delay):
                do {
                    try await clock.sleep(until: clock.now + delay)
                } catch {
                    let now = clock.now
                    _ = state.withLock { $0.table.dialFailed(id, to: endpoint, reason: "cancelled", cancelled: true, now: now) }
                    finishQueue(id)
                    return
                }
            case .giveUp(let line):
                finishQueue(id)
                log(line)
                return
            case .stop:
                finishQueue(id)
                return
            }
        }
    }

    /// An open connection ended: the table decides whether it counts, and what to log.
    private func ended(_ id: ConnectionTable.ConnectionID, _ endpoint: Endpoint, failure: String?) {
        let now = clock.now
        switch state.withLock({ $0.table.closed(id, to: endpoint, failure: failure, now: now) }) {
        case .close(let line):
            finishQueue(id)
            log(line)
        case .ignore:
            return
        }
    }

    /// Reads what the remote sends (to the receiver) and writes the queued packets, until either ends.
    private func exchange(over connection: AuthenticatedConnection, from endpoint: Endpoint, sending stream: AsyncStream<ByteBuffer>) async throws {
        let receiver = state.withLock { $0.receiver }
        let sentBytes = sentBytes
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let packets = connection.packets
                for try await packet in packets {
                    await receiver(ReturnedPacket(packet: packet, remote: connection.remote, frameSize: packets.lastFrameSize, via: endpoint))
                }
            }
            group.addTask {
                for await packet in stream {
                    let size = try await connection.send(encoded: packet)
                    sentBytes.increment(by: size)
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }
}
