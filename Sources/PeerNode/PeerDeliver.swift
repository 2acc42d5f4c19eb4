import FabnetCrypto
import FabnetModel
import FabnetWire
import FabricPolicy
import FabricServices
import FabricWire
import Foundation
import Ledger
import Transport

/// The peer's `protos.Deliver/Deliver` for outside clients (the SDKs' block events): the peer's
/// committed blocks with its TRANSACTIONS_FILTER, as Fabric's peers serve them.
///
/// Guarantees: a seek is served only when its envelope decodes (BAD_REQUEST otherwise), names a
/// channel this peer joined (NOT_FOUND), is signed by its creator, who satisfies the channel's
/// `/Channel/Application/Readers` (FORBIDDEN), and passes the TLS binding check when the client presented a
/// certificate (BAD_REQUEST); blocks come from this peer's ledger only, and a seek for blocks
/// not committed yet waits for them (or answers NOT_FOUND with FAIL_IF_NOT_READY).
extension PeerService: DeliveryBackend {
    public nonisolated func deliver(_ seek: Common_Envelope, caller: DeliveryCaller,
                                    send: (Common_Block) async throws -> Void) async throws -> Common_Status {
        let request = try SeekRequest(parsing: seek)
        guard let readers = await channelPolicies[request.channelID] else {
            throw DeliverRejection(.notFound, "this peer has not joined channel \(request.channelID)")
        }
        let signer = try await identities.verifySeekForDeliver(seek)
        let evaluation = readers.evaluate("/Channel/Application/Readers", signers: [PolicySigner(signer)])
        guard evaluation.satisfied else {
            throw DeliverRejection(.forbidden, "\(signer.mspID) \(signer.role.rawValue) is not a reader of \(request.channelID): \(evaluation.explanation)")
        }
        try request.checkBinding(caller)
        let ledger = PeerLedgerView(peer: self, channel: request.channelID)
        let plan = try SeekPlan(request.seekInfo, height: await ledger.height())
        return try await plan.deliver(from: ledger, send: send)
    }

    /// Waits until `channel`'s ledger holds block `number` (returns at once if it does), or until
    /// the calling task is cancelled.
    func waitForBlock(_ number: UInt64, channel: String) async {
        while (ledgers[channel]?.height ?? 0) <= number, !Task.isCancelled {
            nextBlockWaiter += 1
            let id = nextBlockWaiter
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    if Task.isCancelled { continuation.resume() } else { blockWaiters[id] = continuation }
                }
            } onCancel: {
                Task { await self.cancelBlockWaiter(id) }
            }
        }
    }

    /// Waits until this peer's ledger of `channel` holds at least `height` blocks, for at most
    /// `limit` (real time); whether it does.
    func waitForHeight(_ height: UInt64, channel: String, limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                while await self.ledgerHeight(channel) < height, !Task.isCancelled {
                    await self.waitForBlock(height - 1, channel: channel)
                }
                return await self.ledgerHeight(channel) >= height
            }
            group.addTask {
                try? await Task.sleep(for: limit)  // the time limit of the wait, not a synchronisation
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first || ledgerHeight(channel) >= height
        }
    }

    private func cancelBlockWaiter(_ id: UInt64) {
        blockWaiters.removeValue(forKey: id)?.resume()
    }

    /// Wakes every Deliver waiting for a block (each checks its own channel's height again).
    func committedBlock() {
        let waiting = blockWaiters.values
        blockWaiters = [:]
        for waiter in waiting { waiter.resume() }
    }

    func ledgerHeight(_ channel: String) -> UInt64 { ledgers[channel]?.height ?? 0 }
    func transactionBlock(_ transactionID: String, channel: String) -> UInt64? { ledgers[channel]?.transactions[transactionID]?.block }
    func ledgerBlock(_ number: UInt64, channel: String) throws -> Common_Block? { try ledgers[channel]?.block(number) }

    /// TLS for the gRPC endpoint: the peer's TLS certificate and key; a client certificate is
    /// optional and, when presented, must chain to one of the network's orgs' TLS CAs.
    public nonisolated func grpcTLS() throws -> GRPCEndpointTLS {
        GRPCEndpointTLS(certificateChain: credentials.tlsCertificateChain, privateKey: credentials.tlsPrivateKey,
                        clientTrustRoots: credentials.tlsTrustRoots, clientCertificates: .optional)
    }
}

/// One channel of a peer's ledger as Deliver reads it.
struct PeerLedgerView: DeliverableLedger {
    let peer: PeerService
    let channel: String

    func height() async -> UInt64 { await peer.ledgerHeight(channel) }
    func block(_ number: UInt64) async throws -> Common_Block? { try await peer.ledgerBlock(number, channel: channel) }
    func waitForBlock(_ number: UInt64) async throws {
        await peer.waitForBlock(number, channel: channel)
        try Task.checkCancellation()
    }

    func blockNumber(ofTransaction transactionID: String) async -> UInt64? {
        await peer.transactionBlock(transactionID, channel: channel)
    }
}
