import FabricWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import ServiceLifecycle

/// One stream's life inside a ``ChaincodeClient``, whichever way it came: a fresh ``ShimHandler``
/// is installed, the stream's ``Pump`` moves messages both ways, and when the stream ends (the
/// chaincode's end, the handler's close, a transport error, the registration timeout, an
/// interrupt, cancellation) the handler fails every call in flight and the connection state
/// says why.
///
/// Guarantees: one session at a time owns the handler (dialing runs them in turn; registrations
/// take ``ChaincodeClient/sessionGate``); messages the handler emits are sent in its order; a
/// session always ends with a ``ChaincodeError`` reason, never by hanging.
extension ChaincodeClient {
    /// Moves one stream's messages: sends everything `outbound` yields and hands each received
    /// message to `receive` (which throws the handler's reason to close). It ends by throwing, or
    /// by returning when the chaincode ended the stream.
    typealias Pump = @Sendable (_ outbound: AsyncStream<Protos_ChaincodeMessage>,
                                _ receive: @escaping @Sendable (Protos_ChaincodeMessage) throws -> Void) async throws -> Void

    /// What a session needs besides its pump.
    struct SessionPlan: Sendable {
        /// Where the chaincode is, for the handler's messages.
        var address: String
        /// The ID its REGISTER must carry.
        var chaincodeID: String
        /// Dialing: how long the chaincode has to register.
        var registrationTimeout: Duration?
        /// Dialed in: the registration this session serves; it is not installed when a newer one came.
        var registration: Int?
    }

    // MARK: - The service

    /// Dialing: keeps a stream to the chaincode open until cancelled or shut down gracefully.
    /// Dialed in: waits for registrations until then. Either way it ends the open stream on return.
    public func run() async throws {
        let started = core.withLock { core -> ClientCore.Followups? in
            guard !core.running else { return nil }
            core.running = true
            core.finished = false
            var followups = ClientCore.Followups()
            if case .dialIn = source, core.connection == .stopped { core.setConnection(.unavailable(notRunningError), into: &followups) }
            return followups
        }
        guard let started else {
            logger.error("ChaincodeClient.run() called while it is already running; ignoring the second call")
            return
        }
        started.run()
        defer {
            core.withLock { core -> ClientCore.Followups in
                core.running = false
                core.finished = true
                core.interrupt?.yield(.streamClosed(chaincode: name, address: address, reason: "the peer is shutting down"))
                var followups = ClientCore.Followups()
                core.setConnection(.stopped, into: &followups)
                return followups
            }.run()
        }
        switch source {
        case .dial(let endpoint):
            try? await cancelWhenGracefulShutdown { try await self.keepDialing(endpoint) }
        case .dialIn:
            // Registrations arrive through accept(…); this only waits for the end.
            try? await cancelWhenGracefulShutdown {
                while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
            }
        }
    }

    private func keepDialing(_ endpoint: ChaincodeEndpoint) async throws {
        var failures = 0
        var lastReason: ChaincodeError?
        while !Task.isCancelled {
            let plan = SessionPlan(address: "\(endpoint)", chaincodeID: chaincodeID, registrationTimeout: options.registrationTimeout)
            logger.debug("dialing the chaincode")
            guard let (reason, registered) = await runSession(plan, pump: Self.dialPump(endpoint)) else { break }
            if Task.isCancelled { break }
            failures = registered ? 0 : failures + 1
            let delay = backoff(afterFailures: failures)
            // A chaincode that stays down is reported once, not at every retry.
            let level: Logger.Level = reason == lastReason ? .debug : .warning
            logger.log(level: level, "chaincode stream ended; dialing again", metadata: [
                "reason": "\(reason)", "retryIn": "\(delay)",
            ])
            lastReason = reason
            try await Task.sleep(for: delay)
        }
    }

    private func backoff(afterFailures failures: Int) -> Duration {
        var delay = options.initialBackoff
        for _ in 0..<max(0, failures - 1) where delay < options.maximumBackoff { delay *= 2 }
        return min(delay, options.maximumBackoff)
    }

    /// Dials, opens `protos.Chaincode/Connect` and pumps messages both ways.
    private static func dialPump(_ endpoint: ChaincodeEndpoint) -> Pump {
        { outbound, receive in
            let transport = try HTTP2ClientTransport.Posix(
                target: endpoint.target,
                transportSecurity: endpoint.tls?.transportSecurity ?? .plaintext)
            try await withGRPCClient(transport: transport) { grpc in
                let client = Protos_Chaincode.Client(wrapping: grpc)
                // Fail at once when the server cannot be reached instead of queueing the stream.
                var options = CallOptions.defaults
                options.waitForReady = false
                try await client.connect(options: options, requestProducer: { writer in
                    for await message in outbound { try await writer.write(message) }
                }, onResponse: { response in
                    for try await message in response.messages { try receive(message) }
                })
            }
        }
    }

    // MARK: - One stream

    /// Runs one stream from setup to end: why it ended and whether it had registered; nil when
    /// a newer registration (or the end of `run()`) came first, so nothing was installed.
    func runSession(_ plan: SessionPlan, pump: @escaping Pump) async -> (reason: ChaincodeError, registered: Bool)? {
        let (outbound, continuation) = AsyncStream.makeStream(of: Protos_ChaincodeMessage.self)
        let (interrupts, interrupter) = AsyncStream.makeStream(of: ChaincodeError.self)
        let configuration = ShimHandler.Configuration(chaincodeName: name, expectedChaincodeID: plan.chaincodeID,
                                                      address: plan.address, rangeBatchSize: options.rangeBatchSize)
        let setup = core.withLock { core -> (Int, ClientCore.Followups)? in
            if let registration = plan.registration, registration != core.registrations || core.finished { return nil }
            core.session += 1
            core.handler = ShimHandler(configuration: configuration)
            core.outbound = continuation
            core.interrupt = interrupter
            core.closeReason = nil
            var followups = ClientCore.Followups()
            core.setConnection(.connecting, into: &followups)
            return (core.session, followups)
        }
        guard let (session, followups) = setup else { return nil }
        followups.run()

        var reason: ChaincodeError
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await reason in interrupts { throw reason }
                    throw CancellationError()
                }
                if let timeout = plan.registrationTimeout {
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        if self.core.withLock({ $0.session == session && $0.connection == .ready }) { return }
                        throw ChaincodeError.registrationTimedOut(chaincode: self.name, address: plan.address, seconds: timeout.seconds)
                    }
                }
                group.addTask {
                    try await pump(outbound) { message in
                        if let close = self.receive(message) { throw close }
                    }
                    throw ChaincodeError.streamClosed(chaincode: self.name, address: plan.address, reason: "the chaincode ended the stream")
                }
                while try await group.next() != nil {}
            }
            reason = .streamClosed(chaincode: name, address: plan.address, reason: "the chaincode ended the stream")
        } catch let error as ChaincodeError {
            reason = error
        } catch is CancellationError {
            reason = .streamClosed(chaincode: name, address: plan.address, reason: "the peer is shutting down")
        } catch {
            reason = .unavailable(chaincode: name, address: plan.address, reason: Self.explain(error))
        }

        let (registered, ended) = core.withLock { core -> (Bool, ClientCore.Followups) in
            let registered = core.connection == .ready
            if let closeReason = core.closeReason { reason = closeReason }
            core.outbound?.finish()
            core.outbound = nil
            core.interrupt?.finish()
            core.interrupt = nil
            var followups = core.feed(.streamClosed(reason: Self.shortReason(reason)))
            core.handler = nil
            if registered, case .unavailable = reason {
                reason = .streamClosed(chaincode: name, address: plan.address, reason: Self.shortReason(reason))
            }
            core.setConnection(afterEnd: reason, of: source, chaincode: name, chaincodeID: chaincodeID, into: &followups)
            return (registered, followups)
        }
        ended.run()
        return (reason, registered)
    }

    /// Hands a message from the shim to the handler; the handler's reason to close, if any.
    private func receive(_ message: Protos_ChaincodeMessage) -> ChaincodeError? {
        let followups = core.withLock { $0.feed(.received(message)) }
        followups.run()
        if followups.close == nil, core.withLock({ $0.connection }) == .ready, message.type == .register {
            logger.info("chaincode registered")
        }
        return followups.close
    }

    static func explain(_ error: any Error) -> String {
        if let rpc = error as? RPCError {
            let cause = rpc.cause.map { "; \($0)" } ?? ""
            return "\(rpc.code): \(rpc.message)\(cause)"
        }
        return "\(error)"
    }

    static func shortReason(_ error: ChaincodeError) -> String {
        switch error {
        case .unavailable(_, _, let reason), .streamClosed(_, _, let reason): return reason
        default: return error.description
        }
    }
}

extension ClientCore {
    /// The connection state once a stream ended for `reason`: dialing, that reason (the client
    /// dials again); dialed in, "not registered" with how to start the chaincode, or still
    /// connecting when a newer registration took over; stopped once `run()` has returned.
    mutating func setConnection(afterEnd reason: ChaincodeError, of source: ChaincodeStreamSource, chaincode: String,
                                chaincodeID: String, into followups: inout Followups) {
        if finished {
            setConnection(.stopped, into: &followups)
            return
        }
        switch (source, reason) {
        case (.dial, _):
            setConnection(.unavailable(reason), into: &followups)
        case (.dialIn, .replaced):
            setConnection(.connecting, into: &followups)
        case (.dialIn(let peerAddress), _):
            setConnection(.unavailable(.notRegistered(chaincode: chaincode, chaincodeID: chaincodeID, peerAddress: peerAddress,
                                                      lastEnd: ChaincodeClient.shortReason(reason))), into: &followups)
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
