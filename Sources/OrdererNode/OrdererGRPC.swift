import FabnetCrypto
import FabnetModel
import FabnetWire
import FabricServices
import FabricWire
import Foundation
import Transport

/// The orderer's `orderer.AtomicBroadcast` for outside clients (Fabric SDKs, tools), over gRPC:
/// the same admission as fabnet's own framing, and Deliver as Fabric's orderer serves it.
///
/// Guarantees: Broadcast answers each envelope with Fabric's status (NOT_FOUND for a channel
/// this orderer does not have). Deliver serves a seek only when its envelope decodes
/// (BAD_REQUEST otherwise), names a channel here (NOT_FOUND), is signed by its creator, who is a
/// Reader of the channel (FORBIDDEN), and, when the client presented a TLS certificate and the
/// seek names one in `tls_cert_hash`, names that certificate (BAD_REQUEST, Fabric's binding
/// check); then blocks follow the seek's start, stop and behaviour (`SeekPlan`).
extension OrdererService: AtomicBroadcastBackend {
    public nonisolated func broadcast(_ envelope: Common_Envelope) async -> Orderer_BroadcastResponse {
        var wire = WireEnvelope()
        wire.payload = envelope.payload
        wire.signature = envelope.signature
        let answer = await broadcast(wire)
        var response = Orderer_BroadcastResponse()
        response.status = Common_Status(rawValue: answer.status.rawValue) ?? .internalServerError
        response.info = answer.info
        return response
    }

    public nonisolated func deliver(_ seek: Common_Envelope, caller: DeliveryCaller,
                                    send: (Common_Block) async throws -> Void) async throws -> Common_Status {
        let request = try SeekRequest(parsing: seek)
        guard let channel = await channel(named: request.channelID) else {
            throw DeliverRejection(.notFound, OrdererError.unknownChannel(request.channelID).description)
        }
        _ = try await channel.verifyReader(seek)
        try request.checkBinding(caller)
        metrics.grpcDeliveries.increment()
        let plan = try SeekPlan(request.seekInfo, height: await channel.height)
        return try await plan.deliver(from: OrdererLedgerView(channel: channel), send: send)
    }

    func channel(named name: String) -> OrdererChannel? { channels[name] }

    /// TLS for the gRPC endpoint: the node's TLS certificate and key; a client certificate is
    /// optional (Fabric's `clientAuthRequired: false`) and, when presented, must chain to one of
    /// the network's orgs' TLS CAs.
    public nonisolated func grpcTLS() throws -> GRPCEndpointTLS {
        GRPCEndpointTLS(certificateChain: credentials.tlsCertificateChain, privateKey: credentials.tlsPrivateKey,
                        clientTrustRoots: credentials.tlsTrustRoots, clientCertificates: .optional)
    }
}

extension OrdererChannel {
    /// The signer of a Deliver seek envelope, if its signature verifies and it is a Reader.
    nonisolated func verifyReader(_ seek: Common_Envelope) async throws -> VerifiedSigner {
        let signer = try await identities.verifySeekForDeliver(seek)
        guard mayRead(signer) else { throw DeliverRejection(.forbidden, "\(signer.mspID) is not a reader of \(name)") }
        return signer
    }
}

/// An orderer channel's chain as Deliver reads it.
struct OrdererLedgerView: DeliverableLedger {
    let channel: OrdererChannel

    func height() async -> UInt64 { await channel.height }
    func block(_ number: UInt64) async throws -> Common_Block? { try await channel.block(number) }
    func waitForBlock(_ number: UInt64) async throws {
        await channel.waitForBlock(number)
        try Task.checkCancellation()
    }
}
