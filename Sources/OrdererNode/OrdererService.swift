import FabnetCrypto
import FabnetClient
@_spi(Verification) import FabnetModel
import FabnetWire
import FabricWire
import Foundation
import Ledger
import Logging
import NIOCore
import OperationsEndpoint
import ServiceLifecycle
import Transport

/// The ordering service process: channels by name, served over fabnet's transport.
///
/// Packets it answers: `broadcast` (one BroadcastResponse each, same stream id), `deliver` (a
/// block per DeliverResponse, then a final status; several deliveries may run at once on one
/// connection), `admin` (join a channel from its genesis block, list channels: admins of the
/// orderer's own org only).
///
/// A swift-service-lifecycle `Service`: `run()` owns the channels' batch timers (child tasks);
/// graceful shutdown ends them (what is acknowledged is on disk in the pending log, so a
/// restart orders it).
public actor OrdererService: Service {
    public let home: OrdererHome
    private let signer: SigningIdentity
    let credentials: TransportCredentials
    var channels: [String: OrdererChannel] = [:]
    /// Channels being joined right now (so two joins of one channel cannot both write block 0).
    private var joining: Set<String> = []
    private let durability: LedgerDurability
    /// The node's logging (the `/logspec` route changes its levels).
    public nonisolated let logging: NodeLogger
    private let logger: Logger
    /// The node's metrics registry (`/metrics`).
    public nonisolated let registry: NodeMetrics
    let metrics: OrdererMetrics
    /// The channels' batch timers: child tasks of `run()`.
    let timers = ChildTasks()

    public init(home: OrdererHome, logging: NodeLogger, metrics registry: NodeMetrics = NodeMetrics()) async throws {
        self.home = home
        self.logging = logging
        let logger = logging.logger("orderer")
        self.logger = logger
        self.registry = registry
        metrics = OrdererMetrics(registry)
        var credentials = try home.credentials()
        credentials.faults = FaultSwitch(own: credentials.signer.pkiID)
        self.credentials = credentials
        signer = credentials.signer
        durability = home.configuration.durability == "buffered" ? .osBuffered : .fsyncEachAppend
        let ledgerRoot = home.ledgerDirectory
        try FileManager.default.createDirectory(at: ledgerRoot, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: ledgerRoot.path).sorted() {
            do {
                let channel = try await OrdererChannel(directory: ledgerRoot.appendingPathComponent(name), genesis: nil, signer: signer,
                                                       durability: durability, timers: timers, logger: logger)
                channels[channel.name] = channel
                let height = await channel.height
                logger.info("channel \(channel.name): resumed at height \(height)")
            } catch {
                // One broken channel does not keep the others down; it is reported and skipped.
                logger.error("channel \(name): not served: \(error)")
            }
        }
    }

    public var channelNames: [String] { channels.keys.sorted() }

    /// Runs the channels' timers until graceful shutdown or cancellation.
    public func run() async {
        let timers = self.timers
        await withGracefulShutdownHandler {
            await timers.run()
        } onGracefulShutdown: {
            timers.finish()
        }
    }

    public func channelInfo() async -> [WireChannelInfo] {
        var result: [WireChannelInfo] = []
        for name in channels.keys.sorted() {
            guard let channel = channels[name] else { continue }
            var info = WireChannelInfo()
            info.name = name
            info.height = await channel.height
            result.append(info)
        }
        return result
    }

    /// Binds the listener and serves until cancelled.
    public func makeListener(group: any EventLoopGroup) async throws -> Transport.Listener {
        let transport = Transport(credentials: credentials, group: group, maximumFrameSize: home.configuration.maximumFrameSize)
        return try await transport.listen(host: home.configuration.host, port: home.configuration.port)
    }

    /// Handles one authenticated connection until it closes.
    public nonisolated func handle(_ connection: AuthenticatedConnection) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for try await packet in connection.packets {
                switch packet.body {
                case .broadcast(let envelope):
                    var answer = WirePacket()
                    answer.stream = packet.stream
                    answer.broadcastResponse = await broadcast(envelope)
                    try await connection.send(answer)
                case .deliver(let envelope):
                    group.addTask {
                        do { try await self.deliver(envelope, stream: packet.stream, on: connection) } catch is CancellationError {}
                    }
                case .admin(let envelope):
                    var answer = WirePacket()
                    answer.stream = packet.stream
                    answer.adminResponse = await admin(envelope)
                    try await connection.send(answer)
                default:
                    var answer = WirePacket()
                    answer.stream = packet.stream
                    answer.broadcastResponse = WireBroadcastResponse(.badRequest, "the orderer does not handle this packet")
                    try await connection.send(answer)
                }
            }
            // The remote is gone: deliveries still waiting for blocks have no one to send to.
            group.cancelAll()
        }
    }

    /// Admits one envelope. Off the actor: only finding the channel hops onto it, so clients'
    /// envelopes are opened and their signatures checked on all cores at once.
    nonisolated func broadcast(_ envelope: WireEnvelope) async -> WireBroadcastResponse {
        let response: WireBroadcastResponse
        let fabric = Common_Envelope.with { $0.payload = envelope.payload; $0.signature = envelope.signature }
        let view: EnvelopeView
        do {
            view = try EnvelopeView.open(fabric)
        } catch {
            // Fabric's orderer: a message it cannot read is a BAD_REQUEST, whatever channel it meant.
            response = WireBroadcastResponse(.badRequest, "bad envelope: \(error.reason)")
            metrics.broadcast(status: "\(response.status)")
            return response
        }
        let name = view.channelID
        if let channel = await channel(named: name) {
            response = await channel.broadcast(fabric, view: view)
        } else {
            response = WireBroadcastResponse(.notFound, OrdererError.unknownChannel(name).description)
        }
        metrics.broadcast(status: "\(response.status)")
        return response
    }

    nonisolated func deliver(_ envelope: WireEnvelope, stream: UInt64, on connection: AuthenticatedConnection) async throws {
        func respond(_ status: WireStatus, _ info: String) async throws {
            var answer = WirePacket()
            answer.stream = stream
            answer.deliverResponse.status = status
            answer.deliverResponse.info = info
            try await connection.send(answer)
        }
        let name = (try? WireDeliverRequest(serializedBytes: envelope.payload))?.channelID ?? ""
        guard let channel = await channels[name] else { return try await respond(.notFound, OrdererError.unknownChannel(name).description) }
        let request: Verified<WireDeliverRequest>
        do {
            request = try await EnvelopeSealing.open(envelope, as: WireDeliverRequest.self, creator: \.creator, validator: channel.membershipValidator)
        } catch {
            return try await respond(.forbidden, "\(error)")
        }
        guard channel.mayRead(request.signer) else { return try await respond(.forbidden, "\(request.signer.mspID) is not a reader of \(name)") }
        let seek = request.value.seekInfo
        let height = await channel.height
        func position(_ position: WireSeekPosition?, default fallback: UInt64) -> UInt64 {
            switch position?.type {
            case .oldest?: return 0
            case .newest?: return height - 1
            case .specified(let specified)?: return specified.number
            case nil: return fallback
            }
        }
        let start = position(seek.hasStart ? seek.start : nil, default: height - 1)
        let stop = position(seek.hasStop ? seek.stop : nil, default: start)
        guard start <= stop else { return try await respond(.badRequest, "start \(start) is after stop \(stop)") }
        var number = start
        while number <= stop {
            if number >= (await channel.height) {
                if seek.behavior == .failIfNotReady { return try await respond(.notFound, "block \(number) is not cut yet (height \(await channel.height))") }
                await channel.waitForBlock(number)
                try Task.checkCancellation()
            }
            guard let block = try await channel.blockBytes(number) else { break }
            var answer = WirePacket()
            answer.stream = stream
            answer.deliverResponse.block = Data(block)
            let bytes = try await connection.send(answer)
            metrics.deliveredBlocks.increment()
            metrics.deliveredBytes.increment(by: bytes)
            if number == UInt64.max { break }
            number += 1
        }
        try await respond(.success, "")
    }

    func admin(_ envelope: WireEnvelope) async -> WireAdminResponse {
        var response = WireAdminResponse()
        let validator = credentials.validator
        let request: Verified<WireAdminRequest>
        do {
            request = try await EnvelopeSealing.open(envelope, as: WireAdminRequest.self, creator: \.creator, validator: validator)
        } catch {
            response.status = .forbidden
            response.info = "\(error)"
            return response
        }
        guard request.signer.mspID == home.configuration.mspID, request.signer.role == .admin else {
            response.status = .forbidden
            response.info = "only an admin (NodeOU admin) of \(home.configuration.mspID) may administer this orderer (got \(request.signer.mspID) \(request.signer.role.rawValue))"
            return response
        }
        switch request.value.command {
        case .joinChannel(let join)?:
            guard let genesis = try? Common_Block(serializedBytes: join.genesisBlock),
                  let config = ChannelGenesis.configuration(in: genesis) else {
                response.status = .badRequest
                response.info = "the block is not a genesis block with a channel configuration"
                return response
            }
            if channels[config.channelID] != nil {
                response.status = .success
                response.info = "already a member of \(config.channelID)"
            } else if joining.contains(config.channelID) {
                response.status = .serviceUnavailable
                response.info = "\(config.channelID) is being joined; try again"
            } else {
                do {
                    try OrdererChannel.validate(config)
                    joining.insert(config.channelID)
                    defer { joining.remove(config.channelID) }
                    let directory = home.ledgerDirectory.appendingPathComponent(config.channelID)
                    do {
                        let channel = try await OrdererChannel(directory: directory, genesis: genesis, signer: signer,
                                                               durability: durability, timers: timers, logger: logger)
                        channels[config.channelID] = channel
                    } catch {
                        try? FileManager.default.removeItem(at: directory)
                        throw error
                    }
                    response.status = .success
                    response.info = "joined \(config.channelID)"
                    logger.info("joined channel \(config.channelID)")
                } catch let error as OrdererError {
                    response.status = .badRequest
                    response.info = "\(error)"
                } catch {
                    response.status = .internalServerError
                    response.info = "\(error)"
                }
            }
        case .setFaults(let request)?:
            do {
                guard let faults = credentials.faults else { throw TransportError.handshakeRefused(reason: "this orderer runs without a fault switch") }
                response.status = .success
                response.info = try faults.apply(json: request.planJson)
                logger.info("fabnet fault: \(response.info)")
            } catch {
                response.status = .badRequest
                response.info = "cannot apply the fault plan: \(error)"
            }
        case .listChannels?, nil:
            response.status = .success
        case .peerStatus?, .queryState?, .connectChaincode?, .listChaincodes?, .ledgerDigest?:
            response.status = .badRequest
            response.info = "an orderer has no peer status or world state; ask a peer"
        }
        response.channels = await channelInfo()
        return response
    }
}
