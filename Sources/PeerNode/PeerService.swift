import FabnetClient
import FabnetConfig
import FabnetCrypto
@_spi(Verification) import FabnetModel
import FabnetWire
import FabricPolicy
import FabricWire
import Foundation
import GossipCore
import ChaincodeRuntime
import Ledger
import TxValidation
import Logging
import NIOCore
import OperationsEndpoint
import ServiceLifecycle
import Transport

/// The peer process's gossip shell: GossipCore's `GossipPeer` driven over mutual-TLS connections,
/// a ledger per joined channel, blocks from the orderer while leader, admin requests from its
/// org's admins. A swift-service-lifecycle `Service`: `run()` starts gossip and owns every timer
/// the core schedules, the leader's deliver streams and the outgoing connections (child tasks of
/// `run()`); graceful shutdown ends them all and closes the connections. What touches the
/// outside (the gossip transport, the orderer, the clock, the random generator) comes in through
/// `PeerSeams`, so the shell runs on fakes in tests.
///
/// Guarantees: the core sees only verified input (the connection's proven identity for what a
/// peer says itself, creator signatures for relayed alive messages and state infos, an orderer
/// signature and matching data hash for every block); blocks are committed strictly in order,
/// each checked against the previous block's hash before it is written; every effect the core
/// returns is performed in the order returned, on this actor; nothing it started runs after
/// `run()` returns.
public actor PeerService: Service {
    public let home: PeerHome
    let credentials: TransportCredentials
    let codec: GossipCodec
    let identities: ValidatedIdentityCache
    /// The node's logging (the `/logspec` route changes its levels).
    public let logging: NodeLogger
    let loggers: PeerLoggers
    /// The node's metrics registry (`/metrics`).
    public nonisolated let registry: NodeMetrics
    let metrics: PeerMetrics
    var channelMetrics: [String: PeerMetrics.Channel] = [:]
    var core: GossipPeer
    var ledgers: [String: ChannelLedger] = [:]
    /// Deliver requests (gRPC) waiting for a block to be committed.
    var blockWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    var nextBlockWaiter: UInt64 = 0
    /// Each joined channel's chaincode definitions in force after its last committed block.
    var definitions: [String: DefinitionsInForce] = [:]
    /// Each joined channel's policies, from its block 0 (the endorser checks Writers with them).
    var channelPolicies: [String: PolicyEvaluator] = [:]
    /// Each joined channel's member orgs, from its block 0: whose creators' transactions can be VALID.
    var channelOrganizations: [String: Set<String>] = [:]
    let durability: LedgerDurability
    /// Ledgers of channels joined before a restart that this peer does not serve yet: `fabnet up`
    /// restarting a whole network resumes them with a join, in election order (see
    /// `PeerService+HeldChannels.swift`).
    var heldLedgers: [String: ChannelLedger] = [:]
    /// How long held channels wait for their join before the peer resumes them itself.
    let channelHold: Duration?
    /// The service's time: `now` for the core, timers, commit durations (`tasks.clock`).
    let clock: any NodeClock
    var random: AnyRandomNumberGenerator
    /// Timers, deliver streams and dials: child tasks of `run()`.
    let tasks: ChildTasks
    /// The outgoing gossip connections (`PeerConnections` in a peer process).
    let connections: any GossipTransport
    /// The orderer the leader pulls blocks from.
    let blockSource: any OrdererBlockSource
    var stopped = false
    /// Member deaths already added to `metrics.declaredDead`.
    var reportedDeaths = 0
    /// Lines of gossip the core dropped, logged at most once a minute per kind.
    var droppedLog = RefusalLog()
    /// Suspicions raised, refutations and stalls already added to their counters.
    var reportedSuspicions = 0
    var reportedRefutations = 0
    var reportedStalls = 0
    /// Cut and commit time of each block (`/commits/<channel>`), for benchmarks.
    var commitRecords = CommitRecords()
    /// The chaincode servers this peer reaches, from its home.
    var chaincodeConnections: ChaincodeConnections
    /// A running client per chaincode reached (see `chaincodeClient(channel:name:)`).
    var chaincodeClients: [String: (connection: WireChaincodeConnection, client: ChaincodeClient)] = [:]
    /// The gateway's long-lived connections to other peers and the orderer, by endpoint.
    var gatewayLinks: [String: MultiplexedLink] = [:]

    /// The peer of `home` on real sockets and the continuous clock: mutual-TLS gossip
    /// connections (`PeerConnections`), the orderer of `peer.json` (`OrdererClient`), the system
    /// random generator. `logging` receives every line its log specification lets through
    /// (`info` at start).
    /// `holdChannels`: the peer opens the ledgers of the channels it joined before but serves them
    /// only once joined again (or after that long); see `PeerService+HeldChannels.swift`.
    public init(home: PeerHome, logging: NodeLogger, metrics registry: NodeMetrics = NodeMetrics(), holdChannels: Duration? = nil) async throws {
        var credentials = try home.credentials()
        credentials.faults = FaultSwitch(own: credentials.signer.pkiID)
        let config = home.configuration
        let orderer = try PeerHome.Configuration.endpoint(config.orderer, field: "orderer")
        let tasks = ChildTasks(clock: SystemNodeClock())
        let metrics = PeerMetrics(registry)
        let connections = PeerConnections(transport: Transport(credentials: credentials, maximumFrameSize: config.maximumFrameSize), tasks: tasks,
                                          log: PeerLoggers(logging).comm, sentBytes: metrics.sentBytes, dropped: metrics.dropped)
        let blockSource = OrdererClient(transport: Transport(credentials: credentials), port: orderer.port, serverHostname: orderer.host)
        try await self.init(home: home, logging: logging, metrics: registry,
                            seams: PeerSeams(tasks: tasks, transport: connections, blockSource: blockSource), credentials: credentials,
                            holdChannels: holdChannels)
    }

    /// The peer of `home` on the given seams (its transport, orderer, clock and random
    /// generator): what tests build it with. The identity and ledgers are `home`'s.
    public init(home: PeerHome, logging: NodeLogger, metrics registry: NodeMetrics = NodeMetrics(), seams: PeerSeams,
                holdChannels: Duration? = nil) async throws {
        try await self.init(home: home, logging: logging, metrics: registry, seams: seams, credentials: try home.credentials(), holdChannels: holdChannels)
    }

    private init(home: PeerHome, logging: NodeLogger, metrics registry: NodeMetrics, seams: PeerSeams, credentials: TransportCredentials,
                 holdChannels: Duration?) async throws {
        self.home = home
        channelHold = holdChannels
        self.logging = logging
        let loggers = PeerLoggers(logging)
        self.loggers = loggers
        self.registry = registry
        let metrics = PeerMetrics(registry)
        self.metrics = metrics
        let config = home.configuration
        self.credentials = credentials
        chaincodeConnections = try ChaincodeConnections.load(home.chaincodesFile)
        tasks = seams.tasks
        clock = seams.tasks.clock
        random = AnyRandomNumberGenerator(seams.random)
        connections = seams.transport
        blockSource = seams.blockSource
        identities = credentials.caches.identities  // one cache with the transport's handshakes
        let clock = seams.tasks.clock
        let gossipLog = loggers.gossip
        let reporter = RefusalReporter(write: { gossipLog.warning("\($0)") }, now: { .nanoseconds(clock.now.nanosecondsValue) })
        codec = GossipCodec(signer: credentials.signer, identities: identities, ordererOrganizations: Set(config.ordererOrganizations),
                            duplicates: metrics.duplicates, refused: metrics.refused, reporter: reporter)
        durability = config.durability == "buffered" ? .osBuffered : .fsyncEachAppend
        let resolved = try GossipSettingsLoader.load(coreYAML: FileManager.default.fileExists(atPath: home.coreYAML.path) ? home.coreYAML : nil)
        for warning in resolved.warnings { loggers.peer.warning("configuration: \(warning)") }
        let settings = resolved.settings
        let mode = try LeaderElection.Mode(settings: settings)
        let endpoint = try PeerHome.Configuration.endpoint(config.endpoint, field: "endpoint")
        let anchors = try config.anchors.mapValues { try $0.map { try PeerHome.Configuration.endpoint($0, field: "anchors") } }
        let channelOrganizations = config.channels.mapValues(Set.init)
        let membership = MembershipConfiguration(
            pkiID: credentials.signer.pkiID, mspID: config.mspID, internalEndpoint: endpoint,
            externalEndpoint: config.externalEndpoint ? endpoint : nil,
            bootstrap: try config.bootstrap.map { try PeerHome.Configuration.endpoint($0, field: "bootstrap") },
            anchors: anchors, organizationsSharingAChannel: Set(channelOrganizations.values.flatMap { $0 }),
            channelOrganizations: channelOrganizations.keys.sorted().compactMap { channelOrganizations[$0] }, settings: settings)
        // Ledgers of joined channels: a restart continues from them.
        try FileManager.default.createDirectory(at: home.ledgerDirectory, withIntermediateDirectories: true)
        var opened: [(name: String, ledger: ChannelLedger, view: ChannelConfigView)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: home.ledgerDirectory.path).sorted() {
            let (ledger, report) = try ChannelLedger.open(directory: home.ledgerDirectory.appendingPathComponent(name), channel: name, durability: durability)
            if report.truncatedBytes > 0 { loggers.ledger.warning("channel \(name): dropped \(report.truncatedBytes) bytes of a torn last write") }
            // A ledger without its configuration (a join cut short before block 0 was written)
            // is not served: joining the channel again writes block 0 into it.
            guard let first = try ledger.block(0), let view = ChannelGenesis.view(in: first) else {
                loggers.ledger.warning("channel \(name): its ledger holds no configuration block 0; not served until `fabnet channel join \(name) --peer \(config.name)`")
                continue
            }
            if holdChannels != nil {
                heldLedgers[name] = ledger
            } else {
                opened.append((name, ledger, view))
            }
        }
        let incarnation = UInt64(Date().timeIntervalSince1970 * 1_000_000)
        core = GossipPeer(configuration: membership, channels: opened.map(\.name), channelOrganizations: channelOrganizations,
                          mode: mode, incarnation: incarnation,
                          heights: Dictionary(opened.map { ($0.name, $0.ledger.height) }, uniquingKeysWith: { first, _ in first }))
        for channel in opened {
            serve(channel.ledger, as: channel.name, view: channel.view)
            loggers.ledger.info("channel \(channel.name): resumed at height \(channel.ledger.height)")
        }
        for (name, ledger) in heldLedgers.sorted(by: { $0.key < $1.key }) {
            loggers.ledger.info("channel \(name): held at height \(ledger.height) until joined again")
        }
        // Set after every stored property: packets dialed connections bring back go to this actor.
        connections.deliverReturnedPackets { [weak self] returned in
            guard case .gossipMessage(let wire)? = returned.packet.body else { return }
            await self?.received(wire, from: returned.remote, frameSize: returned.frameSize, via: returned.via)
        }
    }

    /// Serves `ledger` as channel `name` (its block 0's configuration is `view`): its orgs,
    /// policies, chaincode definitions in force and gauges; the gossip core is told apart.
    /// Returns the channel's member orgs.
    @discardableResult
    func serve(_ ledger: ChannelLedger, as name: String, view: ChannelConfigView) -> Set<String> {
        let orgs = Set(view.applicationOrgs.map(\.mspID))
        ledgers[name] = ledger
        channelOrganizations[name] = orgs
        channelPolicies[name] = PolicyEvaluator(view: view)
        definitions[name] = DefinitionsInForce(state: ledger.state)
        let gauges = metrics.channel(name)
        gauges.setHeight(ledger.height)
        gauges.setLeader(false)
        channelMetrics[name] = gauges
        return orgs
    }

    public var channelNames: [String] { ledgers.keys.sorted() }

    var now: GossipTime { GossipTime(nanoseconds: clock.now.nanosecondsValue) }

    /// Binds the gossip listener (serve it with `ListenerService` and `handle(_:)`).
    public func makeListener(group: any EventLoopGroup) async throws -> Transport.Listener {
        let transport = Transport(credentials: credentials, group: group, maximumFrameSize: home.configuration.maximumFrameSize)
        return try await transport.listen(host: home.configuration.listenHost, port: home.configuration.port)
    }

    /// Runs gossip (membership, election, state info for every joined channel) until graceful
    /// shutdown or cancellation; then stops pulling, cancels its timers and closes its connections.
    public func run() async {
        let tasks = self.tasks
        await withGracefulShutdownHandler {
            await self.start()
            await tasks.run()
        } onGracefulShutdown: {
            tasks.finish()
        }
        stop()
    }

    func start() {
        perform(core.handle(.start, now: now, random: &random))
        scheduleHoldEnd()
    }

    /// Handles one accepted connection until it closes. Once a peer gossips on it, gossip to
    /// that peer goes back on it too (`GossipTransport.returnPath`): its side reads
    /// what comes back on a gossip connection it opened.
    public nonisolated func handle(_ connection: AuthenticatedConnection) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            var carriesReturnPackets = false
            for try await packet in connection.packets {
                switch packet.body {
                case .gossipMessage(let wire)?:
                    let remote = connection.remote
                    if !carriesReturnPackets, remote.role == .peer || remote.role == .member {
                        carriesReturnPackets = true
                        let carry = connections.returnPath(to: remote.pkiID, over: connection)
                        group.addTask { await carry() }
                    }
                    await received(wire, from: remote, frameSize: connection.packets.lastFrameSize, via: nil)
                case .admin(let envelope)?:
                    var answer = WirePacket()
                    answer.stream = packet.stream
                    answer.adminResponse = await admin(envelope, from: connection.remote)
                    do { _ = try await connection.send(answer) } catch {
                        loggers.comm.info("admin answer to \(connection.remote.mspID) not sent: \(error)")
                    }
                case .endorse(let request)?:
                    // A chaincode call may take a while: endorsements run beside the connection's other packets.
                    group.addTask {
                        var answer = WirePacket()
                        answer.stream = packet.stream
                        answer.endorseResponse = try await self.endorse(proposalBytes: request.signedProposal,
                                                                         minimumHeight: request.minimumHeight).serializedBytes()
                        do { _ = try await connection.send(answer) } catch {
                            self.loggers.comm.info("endorsement for \(connection.remote.mspID) not sent: \(error)")
                        }
                    }
                default:
                    continue
                }
            }
            // The remote is gone: its endorsements have no one to answer to.
            group.cancelAll()
        }
    }

    /// A gossip message from `remote` (proven in the connection's handshake), `frameSize` bytes
    /// on the wire; `via` is the endpoint this peer dialled when it came back on that connection.
    func received(_ wire: WireGossipMessage, from remote: VerifiedSigner, frameSize: Int, via: Endpoint?) async {
        guard remote.role == .peer || remote.role == .member else { return }
        guard let message = await codec.decode(wire, from: remote) else { return }
        metrics.count(message.value, bytes: frameSize)
        guard !stopped else { return }
        perform(core.handle(.received(message, via: via), now: now, random: &random))
    }

    /// Stops gossip and pulling, closes connections (what `run()` does when it ends).
    func stop() {
        stopped = true
        tasks.finish()
        connections.closeAll()
        for link in gatewayLinks.values { link.close() }
        gatewayLinks = [:]
    }

    // MARK: effects

    static func deliverKey(_ channel: String) -> String { "deliver:\(channel)" }

    func perform(_ effects: [GossipPeer.Effect]) {
        // The last message encoded: a push of one block to k peers is encoded once.
        var encoded: (message: GossipMessage, packet: ByteBuffer)?
        for effect in effects {
            switch effect {
            case let .send(message, destination):
                send(message, to: destination, reusing: &encoded)
            case let .schedule(timer, time):
                tasks.schedule(at: .nanoseconds(time.nanoseconds)) { [weak self] in
                    await self?.fire(timer)
                }
            case .startPulling(let channel):
                loggers.deliver.debug("channel \(channel): leader of \(home.configuration.mspID); pulling blocks from the orderer")
                metrics.leaderChanges.increment()
                channelMetrics[channel]?.setLeader(true)
                startPulling(channel)
            case .stopPulling(let channel):
                loggers.deliver.debug("channel \(channel): no longer leader; stopped pulling from the orderer")
                channelMetrics[channel]?.setLeader(false)
                tasks.cancel(Self.deliverKey(channel))
            case let .commit(channel, block):
                commit(block, to: channel)
            case let .serveBlocks(channel, numbers, nonce, destination):
                guard let ledger = ledgers[channel] else { continue }
                // Capped by the core (`GossipPeer.maximumStateResponseBytes`); an unreadable block ends the answer.
                let message = core.stateResponse(channel: channel, nonce: nonce, numbers: numbers) { number in
                    (try? ledger.blockBytes(number)).map { GossipBlock(number: number, data: $0) }
                }
                if let message { send(message, to: destination, reusing: &encoded) }
            case let .channelHalted(channel, reason):
                metrics.commitFailures.increment()
                loggers.ledger.error("channel \(channel): halted, no further blocks are committed until the peer restarts: \(reason)")
            case .peerIsBack(let peer):
                connections.peerIsBack(peer)
            case .connect(let destination):
                if case let .peer(id, endpoint) = destination { connections.connect(to: endpoint, expecting: id) }
            case .log(let line):
                loggers.gossip.info("\(line)")
            case .dropped(let line):
                // From other peers, maybe hostile ones: counted, and logged at most once a minute per
                // kind of line (numbers aside), not once per message.
                metrics.ignored.increment()
                let (shouldLog, held) = droppedLog.note(sender: "", reason: String(line.filter { !$0.isNumber }),
                                                        now: .nanoseconds(clock.now.nanosecondsValue))
                if shouldLog { loggers.gossip.info("\(line)\(held > 0 ? " (and \(held) like it since the last line)" : "")") }
            }
        }
    }

    func fire(_ timer: GossipPeer.Timer) {
        guard !stopped else { return }
        perform(core.handle(.timer(timer), now: now, random: &random))
    }

    /// Sends `message`, encoded once for consecutive sends of the same message (`last`).
    func send(_ message: GossipMessage, to destination: Destination, reusing last: inout (message: GossipMessage, packet: ByteBuffer)?) {
        let packet: ByteBuffer
        if let last, last.message == message {
            packet = last.packet
        } else {
            do { packet = try codec.encodedPacket(message) } catch {
                loggers.gossip.warning("cannot encode a message for \(destination.endpoint): \(error)")
                return
            }
            last = (message, packet)
        }
        let expecting: PKIID?
        if case .peer(let id, _) = destination { expecting = id } else { expecting = nil }
        connections.send(encoded: packet, to: destination.endpoint, expecting: expecting)
    }

    /// Appends `block` and answers the core: `committed`, or `commitFailed` when the block does
    /// not decode, the channel has no ledger, or the append failed twice (a failed append leaves
    /// the ledger as it was, so it is retried once, for a passing fault). A channel the core
    /// halted is not written to.
    func commit(_ block: GossipBlock, to channel: String) {
        guard core.blocks[channel]?.haltReason == nil else { return }
        perform(core.handle(append(block, to: channel), now: now, random: &random))
    }

    /// Judges `block`'s transactions against the ledger's state. The context holds copies of the
    /// world state and the transaction index, so it must be gone before the append mutates them:
    /// while it lived, every append copied both whole (copy-on-write), a cost that grew with the
    /// chain.
    private func validate(_ block: VerifiedBlock, on ledger: ChannelLedger, channel: String, policies: PolicyEvaluator) -> ValidatedBlock {
        let context = ValidationContext(nextBlockOf: ledger, organizations: channelOrganizations[channel] ?? [], policies: policies,
                                        definitions: definitions[channel] ?? DefinitionsInForce(state: ledger.state))
        return BlockValidator.validate(block.transactions, context: context)
    }

    /// Judges each transaction of `block` and writes it with its flags to the channel's ledger;
    /// the answer for the core.
    private func append(_ block: GossipBlock, to channel: String) -> GossipPeer.Event {
        func failed(_ reason: String) -> GossipPeer.Event { .commitFailed(channel: channel, number: block.number, reason: reason) }
        guard let ledger = ledgers[channel] else { return failed("no ledger for the channel on this peer") }
        // Verified where it entered (parsed, hashed, signatures checked once): every block the
        // core commits came through `GossipVerifier`.
        guard let verified = block.verified as? VerifiedBlock, verified.number == block.number else {
            return failed("block \(block.number) reached the commit without being verified")
        }
        let started = clock.now
        guard let policies = channelPolicies[channel] else { return failed("no configuration of the channel on this peer") }
        let validated = validate(verified, on: ledger, channel: channel, policies: policies)
        let effects = validated.effects
        do {
            try ledger.append(verified.hashed, effects: effects)
        } catch {
            loggers.ledger.warning("channel \(channel): appending block \(block.number) failed: \(error); retrying once")
            do { try ledger.append(verified.hashed, effects: effects) } catch { return failed("append failed twice: \(error)") }
        }
        definitions[channel] = validated.definitions
        metrics.committed.increment()
        metrics.commitDuration.recordNanoseconds((clock.now - started).nanosecondsValue)
        channelMetrics[channel]?.setHeight(ledger.height)
        committedBlock()
        commitRecords.record(channel: channel, number: block.number, cut: BlockMetadataLayout.cutTime(of: verified.block) ?? Date(), committed: Date())
        metrics.countTransactions(zip(verified.transactions, effects).map { candidate, effect in
            (candidate.view?.headerType, candidate.action?.chaincodeAction?.chaincodeID, effect.code)
        }, channel: channel)
        let valid = effects.count { $0.code == .valid }
        loggers.ledger.info("channel \(channel): committed block \(block.number) (\(effects.count) transactions, \(valid) valid)")
        return .committed(channel: channel, number: block.number)
    }
}
