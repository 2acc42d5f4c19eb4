import FabricWire
import Foundation
import GRPCCore
import Logging

/// What the peer tells ``ChaincodeSupportService`` about a registration.
public protocol ChaincodeRegistry: Sendable {
    /// The client that serves the chaincode whose stream began with `message` (from `remote`,
    /// which presented the TLS client certificate `clientCertificate`, DER, if any), or why the
    /// registration is refused (usually from ``RegisterAcceptance``).
    func client(forRegistration message: Protos_ChaincodeMessage, from remote: String,
                clientCertificate: Data?) async -> Result<ChaincodeClient, RegistrationRefused>
}

/// Why a registration is refused: the text the chaincode gets in its ERROR.
public struct RegistrationRefused: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Fabric's `protos.ChaincodeSupport` on a peer: chaincode that dials the peer (the Go, Node and
/// Java shims' default, and Fabric's development mode) opens `Register` and is served by the
/// ``ChaincodeClient`` the ``ChaincodeRegistry`` names.
///
/// Guarantees: a refused registration gets one ERROR message saying why, then the RPC ends with
/// `FAILED_PRECONDITION` and the same text; an accepted one is served until it ends, and unless
/// the chaincode ended it itself, it gets an ERROR with the reason (e.g. replaced by a newer
/// registration, the peer shutting down) and the RPC ends with `ABORTED`.
public struct ChaincodeSupportService: Protos_ChaincodeSupport.SimpleServiceProtocol {
    private let registry: any ChaincodeRegistry
    private let logger: Logger
    private let clientCertificate: @Sendable (ServerContext) -> Data?

    /// `clientCertificate` reads the TLS client certificate (DER) the caller presented from an
    /// RPC's context (the endpoint records it; the TLS handshake already checked its chain).
    public init(_ registry: any ChaincodeRegistry, logger: Logger = Logger(label: "fabnet.chaincode"),
                clientCertificate: @escaping @Sendable (ServerContext) -> Data? = { _ in nil }) {
        self.registry = registry
        self.logger = logger
        self.clientCertificate = clientCertificate
    }

    public func register(request: RPCAsyncSequence<Protos_ChaincodeMessage, any Error>,
                         response: RPCWriter<Protos_ChaincodeMessage>,
                         context: ServerContext) async throws {
        let cursor = MessageCursor(request)
        guard let first = try await cursor.next() else { return }
        let remote = context.remotePeer
        let client: ChaincodeClient
        switch await registry.client(forRegistration: first, from: remote, clientCertificate: clientCertificate(context)) {
        case .failure(let refusal):
            logger.warning("chaincode registration refused", metadata: ["from": "\(remote)", "reason": "\(refusal)"])
            try? await response.write(RegisterAcceptance.error(refusal.description))
            throw RPCError(code: .failedPrecondition, message: refusal.description)
        case .success(let found):
            client = found
        }
        let inbound = AsyncThrowingStream<Protos_ChaincodeMessage, any Error>(unfolding: { try await cursor.next() })
        let reason = await client.accept(register: first, from: remote, inbound: inbound) { try await response.write($0) }
        if case .streamClosed(_, _, "the chaincode ended the stream") = reason { return }
        try? await response.write(RegisterAcceptance.error(reason.description))
        throw RPCError(code: .aborted, message: reason.description)
    }
}

/// Reads a request stream message by message from wherever the stream is handed next.
///
/// Guarantees: exactly one task reads at a time (the service reads the first message, then the
/// one accepted stream reads the rest), which is what makes the unchecked `Sendable` sound.
private final class MessageCursor: @unchecked Sendable {
    private var iterator: RPCAsyncSequence<Protos_ChaincodeMessage, any Error>.AsyncIterator

    init(_ sequence: RPCAsyncSequence<Protos_ChaincodeMessage, any Error>) {
        iterator = sequence.makeAsyncIterator()
    }

    func next() async throws -> Protos_ChaincodeMessage? { try await iterator.next() }
}
