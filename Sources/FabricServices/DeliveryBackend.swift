import FabricWire
import Foundation

/// What a Deliver handler knows about the caller besides the seek envelope.
///
/// Guarantees: `clientCertificateHash` is SHA-256 of the client's TLS certificate (DER) when it
/// presented one on this connection, nil otherwise; compare it with the envelope's
/// `ChannelHeader.tls_cert_hash` (Fabric's binding check).
public struct DeliveryCaller: Sendable, Equatable {
    public let clientCertificateHash: Data?
    /// The remote address, as grpc-swift spells it ("ipv4:127.0.0.1:53114"), for logs.
    public let remotePeer: String

    public init(clientCertificateHash: Data?, remotePeer: String) {
        self.clientCertificateHash = clientCertificateHash
        self.remotePeer = remotePeer
    }
}

/// Serves one Deliver seek request: the orderer's ledger, or a peer's (whose blocks carry its
/// validation flags). Shared by ``AtomicBroadcastService`` and ``PeerDeliverService``.
///
/// Contract: `deliver` checks the request (``SeekRequest``, signature, Readers policy, binding),
/// calls `send` once per block in block order, and returns the final status (`SUCCESS` when every
/// requested block was sent). Throwing ``DeliverRejection`` is the same as returning its status;
/// any other error ends the RPC with a gRPC error. When the client goes away `send` throws, and the
/// task is cancelled: a backend waiting for a block must return or throw then.
public protocol DeliveryBackend: Sendable {
    func deliver(_ seek: Common_Envelope, caller: DeliveryCaller,
                 send: (Common_Block) async throws -> Void) async throws -> Common_Status
}

/// Orders transactions for an orderer's Broadcast.
///
/// Contract: one answer per envelope (`SUCCESS` once accepted for ordering, or Fabric's error
/// status with an `info` sentence); called for one stream's envelopes one at a time, in order.
public protocol BroadcastBackend: Sendable {
    func broadcast(_ envelope: Common_Envelope) async -> Orderer_BroadcastResponse
}

/// An orderer: Broadcast and Deliver.
public typealias AtomicBroadcastBackend = BroadcastBackend & DeliveryBackend

extension DeliveryBackend {
    /// Runs the backend for one seek envelope and returns the final status, mapping a
    /// ``DeliverRejection`` to its status.
    func status(for seek: Common_Envelope, caller: DeliveryCaller,
                send: (Common_Block) async throws -> Void) async throws -> Common_Status {
        do {
            return try await deliver(seek, caller: caller, send: send)
        } catch let rejection as DeliverRejection {
            return rejection.status
        }
    }
}
