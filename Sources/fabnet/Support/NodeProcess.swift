import Logging
import NIOCore
import Synchronization
import OperationsEndpoint
import ServiceLifecycle
import UnixSignals
import Transport

/// The life of a node process (`orderer start`, `peer start`): one swift-service-lifecycle
/// `ServiceGroup` of the node's services (the node's own service, the operations endpoint, the
/// transport listener, the gRPC endpoint for Fabric's clients), with graceful shutdown on SIGTERM
/// and SIGINT.
///
/// Shutdown runs in reverse order of `services`. A peer stops its node service first (gossip
/// and its timers stop, outgoing connections close), then the operations endpoint, then the
/// listener, which gives open connections `grace` before it cancels them. The orderer
/// (`nodeStopsFirst: false`) stops its listener first, so transactions acknowledged during the
/// grace are still cut by its channels' batch timers, and its node service last. A service that
/// ends by itself ends the group (a failed listener or operations endpoint stops the node instead
/// of leaving it half alive).
enum NodeProcess {
    static func run(listener: Transport.Listener, operations: any Channel, node: any Service, grpc: (any Service)? = nil,
                    nodeStopsFirst: Bool = true, grace: Duration, logger: Logger, metrics: NodeMetrics,
                    handler: @escaping @Sendable (AuthenticatedConnection) async throws -> Void) async throws {
        // A refused or failed connection (a foreign CA, a handshake bound to another certificate,
        // an oversize frame…) is counted by kind and logged at most once a minute per kind, so a
        // hostile client hammering the port cannot flood the log. A remote that merely closed is
        // not counted (a node stopping, a port probe).
        let refusals = Mutex(RefusalLog())
        let started = ContinuousClock.now
        let counters = Dictionary(uniqueKeysWithValues: ConnectionRefusal.allCases.filter { $0 != .closed }.map {
            ($0, metrics.counter("fabnet_connections_refused_total", [("reason", $0.rawValue)]))
        })
        let listening = ListenerService(listener: listener, grace: grace, onRefused: { error in
            guard !(error is CancellationError) else { return }
            counters[ConnectionRefusal(error)]?.increment()
            let text = "\(error)"
            let (shouldLog, held) = refusals.withLock {
                $0.note(sender: "", reason: String(text.filter { !$0.isNumber }), now: ContinuousClock.now - started)
            }
            if shouldLog { logger.info("connection ended: \(text)\(held > 0 ? " (and \(held) like it since the last line)" : "")") }
        }, handler: handler)
        // Services are named here: without a name, swift-service-lifecycle describes each one with
        // "\(service)", a reflective dump of all its fields (measured: 1 % of a 100-peer start).
        let operationsService = ServiceGroupConfiguration.ServiceConfiguration(service: OperationsService(channel: operations), serviceName: "operations")
        // The gRPC endpoint stops with the listener: outside clients go when fabnet's own do.
        let listeners: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: listening, serviceName: "listener")]
            + (grpc.map { [.init(service: $0, serviceName: "grpc")] } ?? [])
        let nodeService = ServiceGroupConfiguration.ServiceConfiguration(service: node, serviceName: "node")
        let ordered: [ServiceGroupConfiguration.ServiceConfiguration] = nodeStopsFirst
            ? listeners + [operationsService, nodeService]
            : [nodeService, operationsService] + listeners
        var configuration = ServiceGroupConfiguration(
            services: ordered + [.init(service: SignalAnnouncer(logger: logger), successTerminationBehavior: .ignore, serviceName: "signals")],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Bounds the whole shutdown: the listener's grace plus what the other services take
        // (they stop in milliseconds); past it the group cancels what is left.
        configuration.maximumGracefulShutdownDuration = grace + .seconds(3)
        try await ServiceGroup(configuration: configuration).run()
        logger.info("stopped")
    }
}

/// Logs the stop signal a node got ("got signal SIGTERM, stopping"), so its log shows why it
/// stopped; the group's own handling of the signal logs only at debug level.
struct SignalAnnouncer: Service {
    let logger: Logger

    func run() async {
        // Not cancelled on graceful shutdown: it is shut down first (last in the list), after the
        // signal that started the shutdown reached it too.
        for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
            logger.info("got signal \(signal), stopping")
            return
        }
    }
}
