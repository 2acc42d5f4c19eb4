import FabricWire
import Foundation

/// Registrations of a chaincode that dials the peer (`protos.ChaincodeSupport/Register`): the
/// peer's gRPC service decides which client a REGISTER belongs to (``RegisterAcceptance``) and
/// hands the stream over here, where the same ``ShimHandler`` as for a dialed stream drives it.
///
/// Guarantees: the newest registration wins: an open stream is interrupted with
/// ``ChaincodeError/replaced(chaincode:address:)`` (its calls in flight fail with that) and has
/// ended before the newer one is installed; a registration that a still newer one overtook while
/// it waited is not installed at all. ``accept(register:from:inbound:send:)`` returns only once
/// its stream is over, with why; a client that dials (``ChaincodeStreamSource/dial(_:)``) or
/// whose `run()` has returned refuses registrations.
extension ChaincodeClient {
    /// Serves one registration: `register` is the stream's first message (a REGISTER whose
    /// ChaincodeID names this chaincode), `inbound` the messages after it, `send` writes to the
    /// chaincode, `remote` says where it connected from. Returns why the stream ended.
    public func accept(register: Protos_ChaincodeMessage, from remote: String,
                       inbound: AsyncThrowingStream<Protos_ChaincodeMessage, any Error>,
                       send: @escaping @Sendable (Protos_ChaincodeMessage) async throws -> Void) async -> ChaincodeError {
        guard case .dialIn = source else {
            return .protocolViolation(chaincode: name, address: remote,
                                      detail: "chaincode \(name) is deployed with the address \(address), so the peer dials it; deploy it without --address to let it dial in")
        }
        let registration = core.withLock { core -> Int? in
            guard !core.finished else { return nil }
            core.registrations += 1
            if let current = core.handler?.configuration.address {
                core.interrupt?.yield(.replaced(chaincode: name, address: current))
            }
            return core.registrations
        }
        guard let registration else {
            return .streamClosed(chaincode: name, address: remote, reason: "the peer is shutting down")
        }
        do { try await sessionGate.acquire() } catch {
            return .streamClosed(chaincode: name, address: remote, reason: "the peer is shutting down")
        }
        defer { sessionGate.release() }
        let registeredID = (try? Protos_ChaincodeID(serializedBytes: register.payload))?.name ?? chaincodeID
        let plan = SessionPlan(address: remote, chaincodeID: registeredID, registration: registration)
        logger.info("chaincode registration accepted", metadata: ["from": "\(remote)", "id": "\(registeredID)"])
        guard let (reason, _) = await runSession(plan, pump: Self.registeredPump(register: register, inbound: inbound, send: send)) else {
            return .replaced(chaincode: name, address: remote)
        }
        logger.info("chaincode registration ended", metadata: ["from": "\(remote)", "reason": "\(reason)"])
        return reason
    }

    /// Feeds the REGISTER already read, then pumps the accepted stream until the chaincode ends it.
    private static func registeredPump(register: Protos_ChaincodeMessage, inbound: AsyncThrowingStream<Protos_ChaincodeMessage, any Error>,
                                       send: @escaping @Sendable (Protos_ChaincodeMessage) async throws -> Void) -> Pump {
        { outbound, receive in
            try receive(register)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await message in outbound { try await send(message) }
                }
                group.addTask {
                    for try await message in inbound { try receive(message) }
                }
                // Only the reader ends by itself (the chaincode closed its side); the writer ends
                // when the session finishes `outbound`.
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }
}
