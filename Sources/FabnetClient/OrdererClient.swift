import FabnetCrypto
import FabnetWire
import FabricWire
import Foundation
import Transport

/// The client side of the ordering service: submit, read blocks, administer. Each call opens
/// one authenticated connection for its duration.
public struct OrdererClient: Sendable {
    public let transport: Transport
    public let signer: SigningIdentity
    public let host: String
    public let port: Int
    public let serverHostname: String

    public init(transport: Transport, host: String = "127.0.0.1", port: Int, serverHostname: String) {
        self.transport = transport
        self.signer = transport.credentials.signer
        self.host = host
        self.port = port
        self.serverHostname = serverHostname
    }

    /// Broadcasts envelopes over one connection, pipelined; answers in order, one per envelope
    /// (throws if the connection ends before every answer came).
    public func broadcast(_ envelopes: [WireEnvelope]) async throws -> [WireBroadcastResponse] {
        try await broadcast(envelopes, every: .zero).responses
    }

    /// Broadcasts envelope `i` at `start + i × interval` over one connection (a steady rate
    /// for benchmarks; `.zero`: as fast as the connection takes them); returns the answers in
    /// order and when each envelope was sent.
    ///
    /// Sending and reading the answers run at once: a client that sends everything before
    /// reading fills both sides' buffers with answers, and the orderer stops reading while the
    /// client still writes (50,000 envelopes hung near 36,000).
    public func broadcast(_ envelopes: [WireEnvelope], every interval: Duration) async throws -> (responses: [WireBroadcastResponse], sentAt: [Date]) {
        guard !envelopes.isEmpty else { return ([], []) }
        return try await transport.connect(host: host, port: port, serverHostname: serverHostname) { connection in
            try await withThrowingTaskGroup(of: [Date].self) { group in
                group.addTask {
                    var sentAt: [Date] = []
                    sentAt.reserveCapacity(envelopes.count)
                    let clock = ContinuousClock()
                    let start = clock.now
                    for (index, envelope) in envelopes.enumerated() {
                        if interval > .zero { try await clock.sleep(until: start + interval * index) }
                        sentAt.append(Date())
                        try await connection.send(Self.broadcastPacket(envelope, stream: index + 1))
                    }
                    return sentAt
                }
                var responses: [WireBroadcastResponse] = []
                responses.reserveCapacity(envelopes.count)
                for try await packet in connection.packets {
                    guard case .broadcastResponse(let response)? = packet.body else { continue }
                    responses.append(response)
                    if responses.count == envelopes.count { break }
                }
                guard responses.count == envelopes.count else {
                    group.cancelAll()
                    throw ClientError.closedEarly("the orderer closed the connection after \(responses.count) of \(envelopes.count) answers")
                }
                let sentAt = try await group.next() ?? []
                return (responses, sentAt)
            }
        }
    }

    /// Broadcasts `envelopes` in order over one connection as fast as the orderer answers,
    /// keeping up to `window` unanswered, and stops sending at `deadline`. Returns the answers
    /// and send times of the envelopes sent (a prefix of `envelopes`).
    public func broadcast(_ envelopes: [WireEnvelope], window: Int, until deadline: ContinuousClock.Instant) async throws
        -> (responses: [WireBroadcastResponse], sentAt: [Date]) {
        guard !envelopes.isEmpty, window > 0 else { return ([], []) }
        return try await transport.connect(host: host, port: port, serverHostname: serverHostname) { connection in
            var sentAt: [Date] = []
            var responses: [WireBroadcastResponse] = []
            sentAt.reserveCapacity(envelopes.count)
            responses.reserveCapacity(envelopes.count)
            var sending = true
            while sending, sentAt.count < min(window, envelopes.count) {
                guard ContinuousClock.now < deadline else { sending = false; break }
                try await connection.send(Self.broadcastPacket(envelopes[sentAt.count], stream: sentAt.count + 1))
                sentAt.append(Date())
            }
            guard !sentAt.isEmpty else { return ([], []) }
            for try await packet in connection.packets {
                guard case .broadcastResponse(let response)? = packet.body else { continue }
                responses.append(response)
                if sending, sentAt.count < envelopes.count, ContinuousClock.now < deadline {
                    try await connection.send(Self.broadcastPacket(envelopes[sentAt.count], stream: sentAt.count + 1))
                    sentAt.append(Date())
                } else {
                    sending = false
                }
                if responses.count == sentAt.count { break }
            }
            guard responses.count == sentAt.count else {
                throw ClientError.closedEarly("the orderer closed the connection after \(responses.count) of \(sentAt.count) answers")
            }
            return (responses, sentAt)
        }
    }

    static func broadcastPacket(_ envelope: WireEnvelope, stream: Int) -> WirePacket {
        var packet = WirePacket()
        packet.stream = UInt64(stream)
        packet.broadcast = envelope
        return packet
    }

    /// Blocks `start...stop` of `channel` (waiting for blocks not cut yet unless `failIfNotReady`).
    /// `collect: false` hands each block to `onBlock` only (a long-running stream keeps nothing).
    public func blocks(channel: String, start: WireSeekPosition, stop: WireSeekPosition, failIfNotReady: Bool = true, collect: Bool = true,
                       onBlock: @escaping @Sendable (Common_Block) async throws -> Bool = { _ in true }) async throws -> (blocks: [Common_Block], status: WireStatus, info: String) {
        let collected = Collected()
        let (status, info) = try await blockBytes(channel: channel, start: start, stop: stop, failIfNotReady: failIfNotReady) { bytes in
            let block = try Common_Block(serializedBytes: bytes)
            if collect { collected.append(block) }
            return try await onBlock(block)
        }
        return (collected.blocks, status, info)
    }

    /// The same, handing each block over as the encoded `common.Block` the orderer sent; returns
    /// the final status (SUCCESS with "stopped by the client" when `onBlock` returned false).
    public func blockBytes(channel: String, start: WireSeekPosition, stop: WireSeekPosition, failIfNotReady: Bool = true,
                           onBlock: @escaping @Sendable ([UInt8]) async throws -> Bool) async throws -> (status: WireStatus, info: String) {
        var request = WireDeliverRequest()
        request.channelID = channel
        request.creator = signer.serialized
        request.timestamp = WireTimestamp(Date())
        request.seekInfo.start = start
        request.seekInfo.stop = stop
        request.seekInfo.behavior = failIfNotReady ? .failIfNotReady : .blockUntilReady
        var packet = WirePacket()
        packet.deliver = try EnvelopeSealing.seal(request, by: signer)
        return try await exchange(packet) { packets in
            for try await packet in packets {
                guard case .deliverResponse(let response)? = packet.body else { continue }
                switch response.type {
                case .block(let bytes)?:
                    if try await !onBlock([UInt8](bytes)) { return (.success, "stopped by the client") }
                case .status(let status)?:
                    return (status, response.info)
                case nil:
                    continue
                }
            }
            return (.serviceUnavailable, "the orderer closed the connection")
        }
    }

    /// Asks the peer this client talks to for an endorsement of `proposal` (fabnet's framing; the
    /// Gateway does the same over gRPC). The peer simulates only once its ledger on the channel
    /// holds `minimumHeight` blocks (a gateway passes its own height), else refuses with why.
    public func endorse(_ proposal: Protos_SignedProposal, minimumHeight: UInt64 = 0) async throws -> Protos_ProposalResponse {
        return try await exchange(try .endorse(proposal, minimumHeight: minimumHeight)) { packets in
            for try await packet in packets {
                if case .endorseResponse(let bytes)? = packet.body { return try Protos_ProposalResponse(serializedBytes: bytes) }
            }
            throw ClientError.closedEarly("\(serverHostname) closed the connection without answering the endorsement request")
        }
    }

    /// Sends an admin command signed by this client's identity.
    public func admin(_ command: WireAdminRequest.OneOf_Command) async throws -> WireAdminResponse {
        var request = WireAdminRequest()
        request.creator = signer.serialized
        request.timestamp = WireTimestamp(Date())
        request.command = command
        var packet = WirePacket()
        packet.admin = try EnvelopeSealing.seal(request, by: signer)
        return try await exchange(packet) { packets in
            for try await packet in packets {
                if case .adminResponse(let response)? = packet.body { return response }
            }
            throw ClientError.closedEarly("the orderer closed the connection without answering")
        }
    }

    /// Opens a connection, sends `packet` as stream 1, and lets `read` consume the answers.
    private func exchange<Result: Sendable>(
        _ packet: WirePacket, _ read: @escaping @Sendable (PacketStream) async throws -> Result
    ) async throws -> Result {
        var packet = packet
        packet.stream = 1
        let request = packet
        return try await transport.connect(host: host, port: port, serverHostname: serverHostname) { connection in
            try await connection.send(request)
            return try await read(connection.packets)
        }
    }
}

extension WireSeekPosition {
    public static var first: WireSeekPosition { var position = WireSeekPosition(); position.type = .oldest(.init()); return position }
    public static var last: WireSeekPosition { var position = WireSeekPosition(); position.type = .newest(.init()); return position }
    public static func number(_ number: UInt64) -> WireSeekPosition {
        var position = WireSeekPosition()
        position.specified.number = number
        return position
    }
}

/// Blocks gathered by a delivery's callback (which may run on any task).
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Common_Block] = []
    func append(_ block: Common_Block) { lock.withLock { stored.append(block) } }
    var blocks: [Common_Block] { lock.withLock { stored } }
}
