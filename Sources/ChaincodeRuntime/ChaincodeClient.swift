import FabricWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import ServiceLifecycle
import Synchronization

/// The peer's connection to one chaincode served as a service: it dials the chaincode server
/// (`protos.Chaincode/Connect`, plaintext or TLS), speaks the shim protocol through a
/// ``ShimHandler``, and lets the peer call the chaincode with ``invoke(channel:txID:signedProposal:input:state:timeout:)``.
///
/// Guarantees:
/// - ``run()`` (a swift-service-lifecycle `Service`) keeps one stream open: it dials, waits at
///   most `registrationTimeout` for the chaincode's REGISTER, and after a failure or the stream's
///   end dials again after a back-off doubling from `initialBackoff` to `maximumBackoff` (reset
///   once a stream registers). It returns on cancellation or graceful shutdown.
/// - A call never hangs: while the chaincode is down (or registered under another ID) calls fail
///   at once with the last ``ChaincodeError``; during a connection attempt they wait for it, at
///   most until their own timeout; once sent, a call ends by its timeout at the latest. Calls
///   that were in flight when the stream ended fail with ``ChaincodeError/streamClosed(chaincode:address:reason:)``.
/// - Calls share the one stream, told apart by channel and transaction ID; at most
///   `maxConcurrentCalls` are in flight at once (1 by default, see ``Options/maxConcurrentCalls``).
public final class ChaincodeClient: Service, Sendable {
    /// Timing and paging settings.
    public struct Options: Sendable, Equatable {
        /// How long a connection attempt may take, dial and REGISTER together.
        public var registrationTimeout: Duration
        /// The first wait before dialing again; it doubles after each failed attempt…
        public var initialBackoff: Duration
        /// …up to this.
        public var maximumBackoff: Duration
        /// Records per page of a range query without a page size (Fabric's peer: 100).
        public var rangeBatchSize: Int
        /// How many calls may be in flight on the stream at once; the others wait their turn
        /// (within their timeout). 1 by default: Hyperledger's Python shim (fabric-chaincode-python
        /// 2.5.4) writes to the stream from concurrent tasks, which grpcio refuses
        /// (GRPC_CALL_ERROR_TOO_MANY_OPERATIONS), so with two calls in flight one of its messages
        /// can be lost. Raise it for shims that serialize their writes (Go, Java, Node).
        public var maxConcurrentCalls: Int

        public init(registrationTimeout: Duration = .seconds(5), initialBackoff: Duration = .milliseconds(100),
                    maximumBackoff: Duration = .seconds(2), rangeBatchSize: Int = 100, maxConcurrentCalls: Int = 1) {
            self.registrationTimeout = registrationTimeout
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
            self.rangeBatchSize = rangeBatchSize
            self.maxConcurrentCalls = max(1, maxConcurrentCalls)
        }
    }

    /// The chaincode's name (its namespace).
    public let name: String
    /// The ID the chaincode must register with.
    public let chaincodeID: String
    public let endpoint: ChaincodeEndpoint
    public let options: Options
    private let logger: Logger
    private let core = Mutex(ClientCore())
    private let slots: CallSlots

    public init(name: String, chaincodeID: String? = nil, endpoint: ChaincodeEndpoint, options: Options = Options(),
                logger: Logger = Logger(label: "fabnet.chaincode")) {
        self.name = name
        self.chaincodeID = chaincodeID ?? name
        self.endpoint = endpoint
        self.options = options
        self.slots = CallSlots(options.maxConcurrentCalls)
        var logger = logger
        logger[metadataKey: "chaincode"] = "\(name)"
        logger[metadataKey: "address"] = "\(endpoint)"
        self.logger = logger
    }

    /// Where the connection is now.
    public var connectionState: ChaincodeConnectionState { core.withLock { $0.connection } }

    // MARK: - Calls

    /// Calls the chaincode for one transaction, simulated against `state` (a snapshot of the
    /// committed state): TRANSACTION (or INIT) with `input` and the client's `signedProposal`,
    /// answering the chaincode's state requests until it completes, fails or `timeout` passes.
    public func invoke(channel: String, txID: String, signedProposal: Protos_SignedProposal, input: Protos_ChaincodeInput,
                       state: any CommittedState, isInit: Bool = false, timeout: Duration) async throws -> ChaincodeInvocation {
        try await invoke(ShimHandler.Invocation(transaction: TransactionKey(channel: channel, txID: txID),
                                                signedProposal: signedProposal, input: input,
                                                simulator: TransactionSimulator(state: state), isInit: isInit),
                         timeout: timeout)
    }

    /// Calls the chaincode with a prepared invocation (its simulator may already hold the peer's
    /// own reads, e.g. of the chaincode's definition).
    public func invoke(_ invocation: ShimHandler.Invocation, timeout: Duration) async throws -> ChaincodeInvocation {
        let key = invocation.transaction
        let deadline = ContinuousClock.now + timeout
        try await waitForStream(until: deadline, for: key, timeout: timeout)
        return try await withThrowingTaskGroup(of: ChaincodeInvocation?.self) { group in
            group.addTask {
                try await self.slots.acquire()
                defer { self.slots.release() }
                return try await self.send(invocation)
            }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                self.feed(.timedOut(key, seconds: timeout.seconds))
                throw ChaincodeError.timedOut(chaincode: self.name, address: "\(self.endpoint)", transaction: key,
                                              seconds: timeout.seconds)
            }
            defer { group.cancelAll() }
            while let outcome = try await group.next() {
                if let outcome { return outcome }
            }
            throw ChaincodeError.cancelled(chaincode: name, transaction: key)
        }
    }

    /// Waits until the chaincode has registered, through failed attempts, for at most `timeout`;
    /// throws the last failure (or that the client is not running) when it has not.
    public func waitUntilReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let state = connectionState
            if state == .ready { return }
            guard try await nextConnectionChange(from: state, until: deadline) else {
                switch state {
                case .unavailable(let error): throw error
                case .stopped: throw ChaincodeError.notRunning(chaincode: name, address: "\(endpoint)")
                default:
                    throw ChaincodeError.unavailable(chaincode: name, address: "\(endpoint)",
                                                     reason: "it did not register within \(timeout.seconds) s")
                }
            }
        }
    }

    /// Fails fast unless a stream is registered or being set up; waits for a setup to finish.
    private func waitForStream(until deadline: ContinuousClock.Instant, for key: TransactionKey, timeout: Duration) async throws {
        while true {
            let state = connectionState
            switch state {
            case .ready: return
            case .stopped: throw ChaincodeError.notRunning(chaincode: name, address: "\(endpoint)")
            case .unavailable(let error): throw error
            case .connecting:
                guard try await nextConnectionChange(from: state, until: deadline) else {
                    throw ChaincodeError.unavailable(chaincode: name, address: "\(endpoint)",
                                                     reason: "it did not register within the call's \(timeout.seconds) s timeout")
                }
            }
        }
    }

    /// Registers the call with the handler, sends it and waits for its outcome.
    private func send(_ invocation: ShimHandler.Invocation) async throws -> ChaincodeInvocation {
        let key = invocation.transaction
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ChaincodeInvocation, any Error>) in
                let followups = core.withLock { core -> ClientCore.Followups in
                    if let refusal = self.refusal(of: key, in: core) {
                        var followups = ClientCore.Followups()
                        followups.completions.append((continuation, .failure(refusal)))
                        return followups
                    }
                    core.pending[key] = continuation
                    return core.feed(.invoke(invocation))
                }
                followups.run()
            }
        } onCancel: {
            self.feed(.cancelled(key))
        }
    }

    /// Why a call cannot be sent now, if it cannot.
    private func refusal(of key: TransactionKey, in core: ClientCore) -> ChaincodeError? {
        if Task.isCancelled { return .cancelled(chaincode: name, transaction: key) }
        if core.handler == nil || core.connection != .ready {
            return .unavailable(chaincode: name, address: "\(endpoint)", reason: "the stream to it closed")
        }
        if core.pending[key] != nil { return .duplicateTransaction(chaincode: name, transaction: key) }
        return nil
    }

    private func feed(_ event: ShimHandler.Event) {
        core.withLock { $0.feed(event) }.run()
    }

    /// Waits until ``connectionState`` is no longer `observed` (at once if it has changed already);
    /// false when `deadline` came first.
    private func nextConnectionChange(from observed: ChaincodeConnectionState, until deadline: ContinuousClock.Instant) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                let id = self.core.withLock { core -> Int in
                    core.nextWaiter += 1
                    return core.nextWaiter
                }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let registered = self.core.withLock { core -> Bool in
                            guard !Task.isCancelled, core.connection == observed else { return false }
                            core.waiters[id] = continuation
                            return true
                        }
                        if !registered { continuation.resume() }
                    }
                } onCancel: {
                    self.core.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
                }
                return true
            }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
    }

    // MARK: - The connection

    /// Keeps a stream to the chaincode open until cancelled or shut down gracefully.
    public func run() async throws {
        let started = core.withLock { core -> Bool in
            guard !core.running else { return false }
            core.running = true
            return true
        }
        guard started else {
            logger.error("ChaincodeClient.run() called while it is already running; ignoring the second call")
            return
        }
        defer {
            core.withLock { core -> ClientCore.Followups in
                core.running = false
                var followups = ClientCore.Followups()
                core.setConnection(.stopped, into: &followups)
                return followups
            }.run()
        }
        try? await cancelWhenGracefulShutdown {
            var failures = 0
            var lastReason: ChaincodeError?
            while !Task.isCancelled {
                let (reason, registered) = await self.runStream()
                if Task.isCancelled { break }
                failures = registered ? 0 : failures + 1
                let delay = self.backoff(afterFailures: failures)
                // A chaincode that stays down is reported once, not at every retry.
                let level: Logger.Level = reason == lastReason ? .debug : .warning
                self.logger.log(level: level, "chaincode stream ended; dialing again", metadata: [
                    "reason": "\(reason)", "retryIn": "\(delay)",
                ])
                lastReason = reason
                try await Task.sleep(for: delay)
            }
        }
    }

    private func backoff(afterFailures failures: Int) -> Duration {
        var delay = options.initialBackoff
        for _ in 0..<max(0, failures - 1) where delay < options.maximumBackoff { delay *= 2 }
        return min(delay, options.maximumBackoff)
    }

    /// One stream, from dialing to its end; the reason it ended and whether it had registered.
    private func runStream() async -> (ChaincodeError, Bool) {
        let (outbound, continuation) = AsyncStream.makeStream(of: Protos_ChaincodeMessage.self)
        let configuration = ShimHandler.Configuration(chaincodeName: name, expectedChaincodeID: chaincodeID,
                                                      address: "\(endpoint)", rangeBatchSize: options.rangeBatchSize)
        let session = core.withLock { core -> (Int, ClientCore.Followups) in
            core.session += 1
            core.handler = ShimHandler(configuration: configuration)
            core.outbound = continuation
            core.closeReason = nil
            var followups = ClientCore.Followups()
            core.setConnection(.connecting, into: &followups)
            return (core.session, followups)
        }
        session.1.run()
        logger.debug("dialing the chaincode")

        var reason: ChaincodeError
        do {
            try await stream(session: session.0, outbound: outbound)
            reason = .streamClosed(chaincode: name, address: "\(endpoint)", reason: "the chaincode ended the stream")
        } catch let error as ChaincodeError {
            reason = error
        } catch is CancellationError {
            reason = .streamClosed(chaincode: name, address: "\(endpoint)", reason: "the peer is shutting down")
        } catch {
            reason = .unavailable(chaincode: name, address: "\(endpoint)", reason: Self.explain(error))
        }

        let (registered, followups) = core.withLock { core -> (Bool, ClientCore.Followups) in
            let registered = core.connection == .ready
            if let closeReason = core.closeReason { reason = closeReason }
            core.outbound?.finish()
            core.outbound = nil
            var followups = core.feed(.streamClosed(reason: Self.shortReason(reason)))
            core.handler = nil
            if registered, case .unavailable = reason {
                reason = .streamClosed(chaincode: name, address: "\(endpoint)", reason: Self.shortReason(reason))
            }
            core.setConnection(.unavailable(reason), into: &followups)
            return (registered, followups)
        }
        followups.run()
        return (reason, registered)
    }

    /// Dials, opens `protos.Chaincode/Connect` and pumps messages both ways until the stream ends
    /// (it always ends by throwing: the chaincode's end, the handler's close, a transport error,
    /// the registration timeout, cancellation).
    private func stream(session: Int, outbound: AsyncStream<Protos_ChaincodeMessage>) async throws {
        let transport = try HTTP2ClientTransport.Posix(
            target: endpoint.target,
            transportSecurity: endpoint.tls?.transportSecurity ?? .plaintext)
        try await withGRPCClient(transport: transport) { grpc in
            let client = Protos_Chaincode.Client(wrapping: grpc)
            // Fail at once when the server cannot be reached instead of queueing the stream.
            let callOptions = {
                var options = CallOptions.defaults
                options.waitForReady = false
                return options
            }()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await Task.sleep(for: self.options.registrationTimeout)
                    if self.core.withLock({ $0.session == session && $0.connection == .ready }) { return }
                    throw ChaincodeError.registrationTimedOut(chaincode: self.name, address: "\(self.endpoint)",
                                                              seconds: self.options.registrationTimeout.seconds)
                }
                group.addTask {
                    try await client.connect(options: callOptions, requestProducer: { writer in
                        for await message in outbound { try await writer.write(message) }
                    }, onResponse: { response in
                        for try await message in response.messages {
                            if let close = self.receive(message) { throw close }
                        }
                    })
                    throw ChaincodeError.streamClosed(chaincode: self.name, address: "\(self.endpoint)",
                                                      reason: "the chaincode ended the stream")
                }
                while try await group.next() != nil {}
            }
        }
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

    private static func explain(_ error: any Error) -> String {
        if let rpc = error as? RPCError {
            let cause = rpc.cause.map { "; \($0)" } ?? ""
            return "\(rpc.code): \(rpc.message)\(cause)"
        }
        return "\(error)"
    }

    private static func shortReason(_ error: ChaincodeError) -> String {
        switch error {
        case .unavailable(_, _, let reason), .streamClosed(_, _, let reason): return reason
        default: return error.description
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
