import FabnetClient
import FabnetCrypto
import FabnetModel
import FabricWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// One client of `fabnet bench chaos`: submits through one peer's Fabric Gateway as a
/// fabric-gateway application does (Endorse, sign, Submit, then CommitStatus), each transaction
/// writing its own key, and records every step in the history.
///
/// Guarantees: a transaction is `ok` only when CommitStatus answered VALID; every call has a
/// deadline, so a paused or partitioned node makes a transaction end `fail` or `info`, never hang
/// the client; after a failure the client waits `backoff` before its next transaction (so a
/// dead gateway is not hammered); `window` transactions are in flight at once; none starts after
/// `deadline`.
struct ChaosClient: Sendable {
    let index: Int
    let gatewayName: String
    let host: String
    let port: Int
    let trustRootsPEM: [Data]
    let channel: String
    let chaincode: String
    let signer: SigningIdentity
    let window: Int
    let history: ChaosHistory
    let started: ContinuousClock.Instant
    var callSeconds: Double = 10
    var commitSeconds: Double = 30
    var backoff: Duration = .milliseconds(200)

    /// How one transaction ended and when (seconds since the run started), for the report.
    struct Completion: Sendable {
        let kind: ChaosHistory.Entry.Kind
        let tx: String
        let time: Double
    }

    func run(until deadline: ContinuousClock.Instant) async throws -> [Completion] {
        try await withGatewayClient { gateway in
            try await withThrowingTaskGroup(of: [Completion].self) { group in
                for lane in 0..<max(1, window) {
                    group.addTask {
                        var done: [Completion] = []
                        var sequence = 0
                        while ContinuousClock.now < deadline, !Task.isCancelled {
                            let completion = await transact(key: "chaos-\(index)-\(lane)-\(sequence)", through: gateway)
                            sequence += 1
                            if let completion { done.append(completion) }
                            if completion?.kind != .ok { try? await Task.sleep(for: backoff) }  // a pause after a failure, not a synchronisation
                        }
                        return done
                    }
                }
                var all: [Completion] = []
                for try await done in group { all += done }
                return all
            }
        }
    }

    private var now: Double { (ContinuousClock.now - started).seconds }

    private func record(_ type: ChaosHistory.Entry.Kind, _ tx: String, _ key: String, _ detail: String?) -> Completion {
        let time = now
        history.append(.init(type: type, tx: tx, key: key, client: index, gateway: gatewayName, time: time, detail: detail))
        return Completion(kind: type, tx: tx, time: time)
    }

    private func options(_ seconds: Double) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = .milliseconds(Int64(seconds * 1000))
        return options
    }

    /// One transaction, recorded from `invoke` to its end; nil when no proposal could be made
    /// (nothing invoked, nothing recorded).
    private func transact(key: String, through gateway: Gateway_Gateway.Client<HTTP2ClientTransport.Posix>) async -> Completion? {
        guard let proposal = try? ProposalBuilder.make(channel: channel, chaincode: chaincode,
                                                       arguments: [Data("put".utf8), Data(key.utf8), Data("value of \(key)".utf8)], creator: signer) else {
            return nil
        }
        let tx = proposal.txID
        _ = record(.invoke, tx, key, nil)
        let prepared: Common_Envelope
        do {
            let endorsed = try await gateway.endorse(.with {
                $0.transactionID = tx
                $0.channelID = channel
                $0.proposedTransaction = proposal.signed
            }, options: options(callSeconds))
            prepared = endorsed.preparedTransaction
        } catch {
            // Not endorsed: never reached the orderer.
            return record(.fail, tx, key, "endorse: \(Self.brief(error))")
        }
        do {
            var signed = prepared
            signed.signature = try signer.sign(prepared.payload)
            _ = try await gateway.submit(.with {
                $0.transactionID = tx
                $0.channelID = channel
                $0.preparedTransaction = signed
            }, options: options(callSeconds))
        } catch {
            return record(.info, tx, key, "submit: \(Self.brief(error))")
        }
        do {
            let request = try Gateway_CommitStatusRequest.with {
                $0.transactionID = tx
                $0.channelID = channel
                $0.identity = try signer.serialized.serializedBytes()
            }.serializedBytes() as Data
            let status = try await gateway.commitStatus(.with {
                $0.request = request
                $0.signature = try signer.sign(request)
            }, options: options(commitSeconds))
            return status.result == .valid ? record(.ok, tx, key, "VALID in block \(status.blockNumber)")
                                           : record(.fail, tx, key, "\(status.result)")
        } catch {
            return record(.info, tx, key, "commit status: \(Self.brief(error))")
        }
    }

    /// An error's first line, shortened.
    static func brief(_ error: any Error) -> String {
        let text = (error as? RPCError).map { "\($0.code): \($0.message)" } ?? "\(error)"
        return String(text.split(separator: "\n").first ?? "").prefix(200).description
    }

    func withGatewayClient<T: Sendable>(_ body: @escaping @Sendable (Gateway_Gateway.Client<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        try await GatewayConnection.with(host: host, port: port, trustRootsPEM: trustRootsPEM, body)
    }
}
