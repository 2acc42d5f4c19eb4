import FabricWire

/// The mutable state of a ``ChaincodeClient``, kept behind its mutex: the current stream's
/// ``ShimHandler``, the queue of messages to send on it, the callers waiting for their
/// transactions, the callers waiting for the connection to change, and what ends the stream early.
///
/// Guarantees: effects are applied in the handler's order while the lock is held (so messages
/// are queued in order); continuations are resumed only after the lock is released
/// (``Followups/run()``); every waiter is resumed on each change of ``connection``.
struct ClientCore {
    var connection: ChaincodeConnectionState = .stopped
    var running = false
    /// Numbers the streams (attempts); effects of an old stream are ignored.
    var session = 0
    var handler: ShimHandler?
    var outbound: AsyncStream<Protos_ChaincodeMessage>.Continuation?
    /// Why the handler closed the current stream, if it did.
    var closeReason: ChaincodeError?
    /// Ends the current stream early (a newer registration took over, the client stopped).
    var interrupt: AsyncStream<ChaincodeError>.Continuation?
    /// Counts the registrations a dial-in client took; only the newest may install its stream.
    var registrations = 0
    /// `run()` has returned: registrations are refused from now on.
    var finished = false
    var pending: [TransactionKey: CheckedContinuation<ChaincodeInvocation, any Error>] = [:]
    var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    var nextWaiter = 0

    /// What to do once the lock is released.
    struct Followups {
        var completions: [(CheckedContinuation<ChaincodeInvocation, any Error>, Result<ChaincodeInvocation, ChaincodeError>)] = []
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// The handler asked to end the stream for this reason.
        var close: ChaincodeError?

        func run() {
            for (continuation, result) in completions { continuation.resume(with: result.mapError { $0 as any Error }) }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Sets the connection state and wakes everyone waiting for a change.
    mutating func setConnection(_ state: ChaincodeConnectionState, into followups: inout Followups) {
        connection = state
        followups.waiters.append(contentsOf: waiters.values)
        waiters.removeAll()
    }

    /// Feeds `event` to the current stream's handler and applies its effects.
    mutating func feed(_ event: ShimHandler.Event) -> Followups {
        guard var current = handler else { return Followups() }
        let effects = current.handle(event)
        handler = current
        return apply(effects)
    }

    mutating func apply(_ effects: [ShimHandler.Effect]) -> Followups {
        var followups = Followups()
        for effect in effects {
            switch effect {
            case .send(let message):
                outbound?.yield(message)
            case .registered:
                setConnection(.ready, into: &followups)
            case .complete(let key, let result):
                if let continuation = pending.removeValue(forKey: key) {
                    followups.completions.append((continuation, result))
                }
            case .close(let error):
                closeReason = error
                followups.close = error
            }
        }
        return followups
    }
}
