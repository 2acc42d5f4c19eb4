import FabricWire
import GRPCCore

/// Fabric's `orderer.AtomicBroadcast` over a ``BroadcastBackend`` and a ``DeliveryBackend``.
///
/// Guarantees:
/// - Broadcast: one `BroadcastResponse` per envelope, in the order received; ends when the client
///   half-closes.
/// - Deliver: for each seek envelope, its blocks and then one status response; after `SUCCESS` it
///   reads the next envelope, after any other status it ends the stream (as Fabric does); ends when
///   the client half-closes.
public struct AtomicBroadcastService: Orderer_AtomicBroadcast.SimpleServiceProtocol {
    private let broadcaster: any BroadcastBackend
    private let deliverer: any DeliveryBackend

    public init(broadcast: any BroadcastBackend, deliver: any DeliveryBackend) {
        self.broadcaster = broadcast
        self.deliverer = deliver
    }

    public init(_ backend: any AtomicBroadcastBackend) {
        self.init(broadcast: backend, deliver: backend)
    }

    public func broadcast(request: RPCAsyncSequence<Common_Envelope, any Error>,
                          response: RPCWriter<Orderer_BroadcastResponse>,
                          context: ServerContext) async throws {
        for try await envelope in request {
            try await response.write(await broadcaster.broadcast(envelope))
        }
    }

    public func deliver(request: RPCAsyncSequence<Common_Envelope, any Error>,
                        response: RPCWriter<Orderer_DeliverResponse>,
                        context: ServerContext) async throws {
        let caller = DeliveryCaller(context)
        for try await seek in request {
            let status = try await deliverer.status(for: seek, caller: caller) { block in
                try await response.write(.with { $0.block = block })
            }
            try await response.write(.with { $0.status = status })
            if status != .success { return }
        }
    }
}

extension DeliveryCaller {
    init(_ context: ServerContext) {
        self.init(clientCertificateHash: ClientTLSIdentity.of(context)?.certificateHash, remotePeer: context.remotePeer)
    }
}
