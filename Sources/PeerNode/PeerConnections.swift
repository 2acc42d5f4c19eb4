import CoreMetrics
import FabnetModel
import FabnetWire
import Foundation
import Logging
import NIOCore
import OperationsEndpoint
import Synchronization
import Transport

/// Outgoing gossip connections, one per endpoint, dialed on first send and kept open.
///
/// Guarantees: sends never block the caller (each connection has a bounded queue; when it is
/// full, or the endpoint failed to connect less than `retryAfter` ago, the packet is dropped,
/// which gossip tolerates: pull and state transfer repair it); a connection to `.peer(id, …)`
/// whose remote proves another PKI-ID is closed; packets the remote sends back on it are handed
/// to `onPacket` with the endpoint dialed. When a peer reaches us (`peerIsBack`), a dial to it
/// that is still backing off is dropped with its stale queue and its recent failure forgotten, so
/// what goes to a restarted peer next is sent at once. Each connection is a child task of the
/// peer service's `run()` (through `ChildTasks`), so none outlives the service.
final class PeerConnections: @unchecked Sendable {  // every var is read and written under `lock`
    private struct Outgoing {
        let id: Int
        let queue: AsyncStream<ByteBuffer>.Continuation
    }

    private let transport: Transport
    private let tasks: ChildTasks
    /// Where packets that remotes send back on dialed connections go (set once, before the first send).
    var onPacket: @Sendable (WirePacket, AuthenticatedConnection, Endpoint) async -> Void {
        get { lock.withLock { packetHandler } }
        set { lock.withLock { packetHandler = newValue } }
    }
    private var packetHandler: @Sendable (WirePacket, AuthenticatedConnection, Endpoint) async -> Void = { _, _, _ in }
    private let logger: Logger
    private let sentBytes: Counter
    private let droppedCounter: Counter
    private let lock = NSLock()
    private var open: [Endpoint: Outgoing] = [:]
    private var failedAt: [Endpoint: ContinuousClock.Instant] = [:]
    /// The endpoints dialed expecting each PKI-ID, and the connections still dialing (no handshake yet).
    private var endpointsOf: [PKIID: Set<Endpoint>] = [:]
    private var dialing: Set<Int> = []
    private var generation = 0
    private let retryAfter: Duration = .milliseconds(500)
    /// Which "cannot reach" lines are logged (a node that stays down: one line every few seconds).
    private var unreachable = UnreachableLog()

    /// `sentBytes` counts bytes of frames sent, `dropped` packets dropped (queue full, or the
    /// endpoint recently unreachable); `log` gets "cannot reach" and "connection ended" lines.
    init(transport: Transport, tasks: ChildTasks, log: Logger, sentBytes: Counter, dropped: Counter) {
        self.transport = transport
        self.tasks = tasks
        logger = log
        self.sentBytes = sentBytes
        droppedCounter = dropped
    }

    private func log(_ line: String) { logger.info("\(line)") }

    static func key(_ id: Int) -> String { "dial:\(id)" }

    /// Queues `packet` for `endpoint`; `expecting` is the PKI-ID the remote must prove, if known.
    func send(_ packet: WirePacket, to endpoint: Endpoint, expecting: PKIID?) {
        guard let encoded = try? packet.frameBuffer() else { return }
        send(encoded: encoded, to: endpoint, expecting: expecting)
    }

    /// The same for a packet already encoded (`WirePacket.frameBuffer()`): one encoding of a
    /// message sent to many peers is shared by their queues, not made again per peer.
    func send(encoded packet: ByteBuffer, to endpoint: Endpoint, expecting: PKIID?) {
        lock.lock()
        defer { lock.unlock() }
        if let outgoing = open[endpoint] {
            if case .dropped = outgoing.queue.yield(packet) { droppedCounter.increment() }
            return
        }
        if let failed = failedAt[endpoint], ContinuousClock.now - failed < retryAfter {
            droppedCounter.increment()
            return
        }
        let (stream, queue) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(4096))
        queue.yield(packet)
        generation += 1
        let id = generation
        dialing.insert(id)
        if let expecting { endpointsOf[expecting, default: []].insert(endpoint) }
        let transport = transport
        tasks.start(Self.key(id)) {
            // A peer that is not listening yet (nodes of one network start together) is dialed
            // again after 50, 100, 200, 400 ms while the packets wait in the queue, so a start-up
            // race costs milliseconds, not a reconnect interval.
            var delay = Duration.milliseconds(50)
            var attempt = 1
            while true {
                // Set once the handshake succeeded: only failures before it are retried.
                let connected = Mutex(false)
                do {
                    try await transport.connect(port: endpoint.port, serverHostname: endpoint.host) { connection in
                        connected.withLock { $0 = true }
                        let line = self.lock.withLock { () -> String? in
                            self.dialing.remove(id)
                            return self.unreachable.reached(endpoint)
                        }
                        if let line { self.log(line) }
                        if let expecting, connection.remote.pkiID != expecting {
                            throw PeerError.notAllowed("\(endpoint) proved to be \(connection.remote.pkiID), not \(expecting)")
                        }
                        try await self.exchange(over: connection, from: endpoint, sending: stream)
                    }
                    self.closed(endpoint, id: id, failed: false)
                    return
                } catch {
                    if !connected.withLock({ $0 }), attempt < Self.connectAttempts, !Task.isCancelled {
                        attempt += 1
                        try? await Task.sleep(for: delay)
                        delay *= 2
                        continue
                    }
                    if !(error is CancellationError) {
                        if connected.withLock({ $0 }) {
                            self.log("connection to \(endpoint) ended: \(error)")
                        } else if let line = self.lock.withLock({ self.unreachable.failed(endpoint, reason: "\(error)", now: .now) }) {
                            self.log(line)
                        }
                    }
                    self.closed(endpoint, id: id, failed: true)
                    return
                }
            }
        }
        open[endpoint] = Outgoing(id: id, queue: queue)
    }

    /// Dial attempts before an endpoint counts as unreachable (about 0.75 s in all).
    static let connectAttempts = 5

    /// Reads what the remote sends (to `onPacket`) and writes the queued packets, until either ends.
    private func exchange(over connection: AuthenticatedConnection, from endpoint: Endpoint, sending stream: AsyncStream<ByteBuffer>) async throws {
        let onPacket = self.onPacket
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await packet in connection.packets { await onPacket(packet, connection, endpoint) }
            }
            group.addTask {
                for await packet in stream {
                    let size = try await connection.send(encoded: packet)
                    self.sentBytes.increment(by: size)
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// `id` reached us over its own connection: it is up (again). Its endpoints' recent failures
    /// are forgotten, and dials to them still backing off are dropped with what they queued
    /// (sent while it was down: stale).
    func peerIsBack(_ id: PKIID) {
        lock.lock()
        defer { lock.unlock() }
        guard let endpoints = endpointsOf[id] else { return }
        for endpoint in endpoints {
            failedAt[endpoint] = nil
            guard let outgoing = open[endpoint], dialing.contains(outgoing.id) else { continue }
            dialing.remove(outgoing.id)
            outgoing.queue.finish()
            tasks.cancel(Self.key(outgoing.id))
            open[endpoint] = nil
        }
    }

    private func closed(_ endpoint: Endpoint, id: Int, failed: Bool) {
        lock.lock()
        defer { lock.unlock() }
        dialing.remove(id)
        // Only the connection this task made (a newer one may have replaced it).
        guard let outgoing = open[endpoint], outgoing.id == id else { return }
        outgoing.queue.finish()
        open[endpoint] = nil
        if failed { failedAt[endpoint] = ContinuousClock.now } else { failedAt[endpoint] = nil }
    }

    /// Closes every connection.
    func closeAll() {
        lock.lock()
        defer { lock.unlock() }
        for outgoing in open.values {
            outgoing.queue.finish()
            tasks.cancel(Self.key(outgoing.id))
        }
        open.removeAll()
    }
}
