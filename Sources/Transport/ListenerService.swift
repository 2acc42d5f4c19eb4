import ServiceLifecycle

/// A node's listener as a swift-service-lifecycle `Service`: serves accepted, authenticated
/// connections with `handler` until graceful shutdown; then stops accepting and gives the open
/// connections `grace` to end before cancelling their handlers.
///
/// Guarantees: `run()` returns only when every handler it started has ended; an accept loop
/// that ends by itself (the listener failed) ends `run()` too, so the group stops the node.
public struct ListenerService: Service {
    let listener: Transport.Listener
    let grace: Duration
    let onRefused: @Sendable (any Error) -> Void
    let handler: @Sendable (AuthenticatedConnection) async throws -> Void

    public init(listener: Transport.Listener, grace: Duration, onRefused: @escaping @Sendable (any Error) -> Void = { _ in },
                handler: @escaping @Sendable (AuthenticatedConnection) async throws -> Void) {
        self.listener = listener
        self.grace = grace
        self.onRefused = onRefused
        self.handler = handler
    }

    public func run() async throws {
        let listener = listener, grace = grace, onRefused = onRefused, handler = handler
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await listener.serve(onRefused: onRefused, handler: handler) }
            group.addTask {
                try await gracefulShutdown()
                listener.close()
                try await Task.sleep(for: grace)
            }
            do {
                // The first to end: the accept loop (every handler done) or the grace period.
                try await group.next()
            } catch is CancellationError {}
            group.cancelAll()
            while let _ = try? await group.next() {}
        }
    }
}
