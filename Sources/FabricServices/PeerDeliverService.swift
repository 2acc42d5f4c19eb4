import FabricWire
import GRPCCore

/// Fabric's `protos.Deliver` on a peer, over a ``DeliveryBackend`` whose blocks carry the peer's
/// validation flags.
///
/// Guarantees: `Deliver` behaves as ``AtomicBroadcastService``'s Deliver (blocks, then one status;
/// the next envelope after `SUCCESS`; the end after any other status or the client's half-close).
/// `DeliverFiltered` is not served: it fails with gRPC `unimplemented` and a message pointing at
/// `Deliver`. (`DeliverWithPrivateData` is not in FabricWire's protos, so grpc-swift answers it
/// `unimplemented` by itself.)
public struct PeerDeliverService: Protos_Deliver.SimpleServiceProtocol {
    private let backend: any DeliveryBackend

    public init(_ backend: any DeliveryBackend) {
        self.backend = backend
    }

    public func deliver(request: RPCAsyncSequence<Common_Envelope, any Error>,
                        response: RPCWriter<Protos_DeliverResponse>,
                        context: ServerContext) async throws {
        let caller = DeliveryCaller(context)
        for try await seek in request {
            let status = try await backend.status(for: seek, caller: caller) { block in
                try await response.write(.with { $0.block = block })
            }
            try await response.write(.with { $0.status = status })
            if status != .success { return }
        }
    }

    public func deliverFiltered(request: RPCAsyncSequence<Common_Envelope, any Error>,
                                response: RPCWriter<Protos_DeliverResponse>,
                                context: ServerContext) async throws {
        throw RPCError(code: .unimplemented, message: """
            protos.Deliver/DeliverFiltered is not served by this fabnet peer; \
            use protos.Deliver/Deliver (full blocks with validation flags) instead
            """)
    }
}
