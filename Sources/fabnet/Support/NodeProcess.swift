import Logging
import NIOCore
import OperationsEndpoint
import ServiceLifecycle
import UnixSignals
import Transport

/// The life of a node process (`orderer start`, `peer start`): one swift-service-lifecycle
/// `ServiceGroup` of the node's services (the node's own service, the operations endpoint, the
/// transport listener), with graceful shutdown on SIGTERM and SIGINT.
///
/// Shutdown runs in reverse order of `services`: the node's service first (gossip and its
/// timers stop, outgoing connections close), then the operations endpoint, then the listener,
/// which gives open connections `grace` before it cancels them. A service that ends by itself
/// ends the group (a failed listener stops the node instead of leaving it half alive).
enum NodeProcess {
    static func run(listener: Transport.Listener, operations: any Channel, node: any Service, grace: Duration, logger: Logger,
                    handler: @escaping @Sendable (AuthenticatedConnection) async throws -> Void) async throws {
        let listening = ListenerService(listener: listener, grace: grace, onRefused: { error in
            if !(error is CancellationError) { logger.info("connection ended: \(error)") }
        }, handler: handler)
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: listening), .init(service: OperationsService(channel: operations)), .init(service: node),
                       .init(service: SignalAnnouncer(logger: logger), successTerminationBehavior: .ignore)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // The listener's own grace ends first; this only bounds a service that does not stop.
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
