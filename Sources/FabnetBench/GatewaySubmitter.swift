import FabnetCrypto
import FabricWire
import Foundation
import Orchestrator
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Synchronization

/// One client of `fabnet bench throughput` that submits through a peer's Fabric Gateway, as a
/// fabric-gateway application does: `Endorse` a pre-signed proposal, sign the prepared
/// transaction, `Submit` it (no `CommitStatus`: commits are read from the peers afterwards).
///
/// Guarantees: one gRPC connection (TLS, trusting the given roots) per submitter; `window`
/// transactions in flight at once, each endorsed then submitted in order; no new transaction
/// starts after `deadline`; every transaction that was started is reported with when its
/// `Endorse` began and whether the orderer accepted it, so nothing is counted that did not
/// reach the orderer.
struct GatewaySubmitter: Sendable {
    /// A proposal signed before the run, with its tx id.
    struct Proposal: Sendable {
        let signed: Protos_SignedProposal
        let txID: String
    }

    /// One transaction's outcome.
    struct Outcome: Sendable {
        let txID: String
        let startedAt: Date
        /// Nil when it was accepted by the orderer; else why not (endorse or submit failure).
        let failure: String?
    }

    let host: String
    let port: Int
    let trustRootsPEM: [Data]
    let channel: String
    let signer: SigningIdentity
    let window: Int

    /// Before the clock starts: endorses `probe` (never submitted) until the gateway can plan an
    /// endorsement, since right after `up` a gateway may not know the other org's peers yet.
    func warmUp(_ probe: Proposal, within seconds: Double) async throws {
        try await withClient { gateway in
            try await eventually(seconds: seconds, "the gateway on port \(port) endorsing") {
                (try? await gateway.endorse(.with {
                    $0.transactionID = probe.txID
                    $0.channelID = channel
                    $0.proposedTransaction = probe.signed
                })) != nil
            }
        }
    }

    func run(_ proposals: [Proposal], until deadline: ContinuousClock.Instant) async throws -> [Outcome] {
        let next = NextIndex()
        return try await withClient { gateway in
            try await withThrowingTaskGroup(of: [Outcome].self) { group in
                for _ in 0..<max(1, window) {
                    group.addTask {
                        var outcomes: [Outcome] = []
                        while ContinuousClock.now < deadline {
                            let index = next.take()
                            guard index < proposals.count else { break }
                            outcomes.append(await submit(proposals[index], through: gateway))
                        }
                        return outcomes
                    }
                }
                var all: [Outcome] = []
                for try await outcomes in group { all += outcomes }
                return all
            }
        }
    }

    /// Runs `body` with a Gateway client on its own TLS connection to the peer.
    private func withClient<T: Sendable>(_ body: @escaping @Sendable (Gateway_Gateway.Client<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        try await GatewayConnection.with(host: host, port: port, trustRootsPEM: trustRootsPEM, body)
    }

    private func submit(_ proposal: Proposal, through gateway: Gateway_Gateway.Client<HTTP2ClientTransport.Posix>) async -> Outcome {
        let started = Date()
        do {
            let endorsed = try await gateway.endorse(.with {
                $0.transactionID = proposal.txID
                $0.channelID = channel
                $0.proposedTransaction = proposal.signed
            })
            var prepared = endorsed.preparedTransaction
            prepared.signature = try signer.sign(prepared.payload)
            _ = try await gateway.submit(.with {
                $0.transactionID = proposal.txID
                $0.channelID = channel
                $0.preparedTransaction = prepared
            })
            return Outcome(txID: proposal.txID, startedAt: started, failure: nil)
        } catch {
            return Outcome(txID: proposal.txID, startedAt: started, failure: "\(error)")
        }
    }
}

/// Hands out 0, 1, 2, … to the tasks of one submitter, each number once.
private final class NextIndex: Sendable {
    private let value = Mutex(0)
    func take() -> Int { value.withLock { value in defer { value += 1 }; return value } }
}
