import FabricWire
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The peer's connection to one chaincode: one stream at a time, driven by a pure
/// ``ShimHandler``, whichever way the stream came (``ChaincodeStreamSource``): the peer dials the
/// chaincode server (`protos.Chaincode/Connect`, plaintext or TLS, Fabric's chaincode as a
/// service), or the chaincode dials the peer (`protos.ChaincodeSupport/Register`, the shims'
/// default and Fabric's development mode) and the peer's gRPC service hands the stream to
/// ``accept(register:from:inbound:send:)``. The peer calls the chaincode with
/// ``invoke(channel:txID:signedProposal:input:state:timeout:)``.
///
/// Guarantees:
/// - ``run()`` (a swift-service-lifecycle `Service`) returns on cancellation or graceful
///   shutdown and ends the open stream. Dialing, it keeps one stream open: it dials, waits at
///   most `registrationTimeout` for the chaincode's REGISTER, and after a failure or the stream's
///   end dials again after a back-off doubling from `initialBackoff` to `maximumBackoff` (reset
///   once a stream registers). Dialed in, it opens nothing; the newest registration replaces an
///   older one (closing it with ``ChaincodeError/replaced(chaincode:address:)``), and once
///   `run()` has returned registrations are refused.
/// - A call never hangs: while the chaincode is down (or registered under another ID, or, dialed
///   in, not registered: ``ChaincodeError/notRegistered(chaincode:chaincodeID:peerAddress:lastEnd:)``)
///   calls fail at once with the last ``ChaincodeError``; during a connection attempt they wait
///   for it, at most until their own timeout; once sent, a call ends by its timeout at the latest.
///   Calls that were in flight when the stream ended fail with ``ChaincodeError/streamClosed(chaincode:address:reason:)``
///   (or ``ChaincodeError/replaced(chaincode:address:)``).
/// - Calls share the one stream, told apart by channel and transaction ID; at most
///   `maxConcurrentCalls` are in flight at once (1 by default, see ``Options/maxConcurrentCalls``).
public final class ChaincodeClient: Service, Sendable {
    /// Timing and paging settings.
    public struct Options: Sendable, Equatable {
        /// How long a connection attempt may take, dial and REGISTER together (dialing only).
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
    /// Where its streams come from.
    public let source: ChaincodeStreamSource
    public let options: Options
    let logger: Logger
    let core = Mutex(ClientCore())
    let slots: CallSlots
    /// Held by the stream a registration runs, so an older one has ended before a newer starts.
    let sessionGate = CallSlots(1)

    /// A client that dials the chaincode server at `endpoint`.
    public convenience init(name: String, chaincodeID: String? = nil, endpoint: ChaincodeEndpoint, options: Options = Options(),
                            logger: Logger = Logger(label: "fabnet.chaincode")) {
        self.init(name: name, chaincodeID: chaincodeID, source: .dial(endpoint), options: options, logger: logger)
    }

    public init(name: String, chaincodeID: String? = nil, source: ChaincodeStreamSource, options: Options = Options(),
                logger: Logger = Logger(label: "fabnet.chaincode")) {
        self.name = name
        self.chaincodeID = chaincodeID ?? name
        self.source = source
        self.options = options
        self.slots = CallSlots(options.maxConcurrentCalls)
        var logger = logger
        logger[metadataKey: "chaincode"] = "\(name)"
        logger[metadataKey: "address"] = "\(source)"
        self.logger = logger
    }

    /// Where the chaincode is, for messages: the server's address, or the peer's for a chaincode that dials in.
    public var address: String {
        switch source {
        case .dial(let endpoint): return "\(endpoint)"
        case .dialIn(let peerAddress): return peerAddress
        }
    }

    /// What a call meets while nothing serves it: for a chaincode that dials in, how to start it.
    var notRunningError: ChaincodeError {
        switch source {
        case .dial: return .notRunning(chaincode: name, address: address)
        case .dialIn(let peerAddress): return .notRegistered(chaincode: name, chaincodeID: chaincodeID, peerAddress: peerAddress, lastEnd: nil)
        }
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
                throw ChaincodeError.timedOut(chaincode: self.name, address: self.address, transaction: key,
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
    /// throws the last failure (or that the client is not running) when it has not. A chaincode
    /// that dials in and has not registered makes no attempts to wait through: that throws at once.
    public func waitUntilReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let state = connectionState
            if state == .ready { return }
            if case .dialIn = source, case .unavailable(let error) = state { throw error }
            guard try await nextConnectionChange(from: state, until: deadline) else {
                switch state {
                case .unavailable(let error): throw error
                case .stopped: throw notRunningError
                default:
                    throw ChaincodeError.unavailable(chaincode: name, address: address,
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
            case .stopped: throw notRunningError
            case .unavailable(let error): throw error
            case .connecting:
                guard try await nextConnectionChange(from: state, until: deadline) else {
                    throw ChaincodeError.unavailable(chaincode: name, address: address,
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
            return .unavailable(chaincode: name, address: address, reason: "the stream to it closed")
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
}
