import FabnetCrypto
import FabricWire
import Foundation
import GRPCCore
import Orchestrator

/// Asks one peer's Gateway, through CommitStatus (which reads that peer's ledger), whether each
/// acknowledged transaction of a chaos run is VALID there.
///
/// Guarantees: every id is either reported absent (answered with another code, or no answer
/// within `answerSeconds`: CommitStatus waits for a transaction the peer does not hold) or
/// found VALID, unless the peer stops answering altogether: after `giveUpAfter` lookups in a row
/// without an answer the rest are reported `unasked`, so a dead peer costs seconds, not hours.
struct ChaosLookup: Sendable {
    let peer: NetworkState.Node
    let channel: String
    let roots: [Data]
    let signer: SigningIdentity
    var answerSeconds: Double = 5
    var giveUpAfter = 50
    var lanes = 16

    struct Result: Sendable {
        var absent: [String] = []
        var unasked: [String] = []
    }

    func run(_ ids: [String]) async throws -> Result {
        guard let port = peer.grpcPort else { return Result(unasked: ids) }
        let identity: Data = try signer.serialized.serializedBytes()
        let options: CallOptions = {
            var options = CallOptions.defaults
            options.timeout = .milliseconds(Int64(answerSeconds * 1000))
            return options
        }()
        let signer = signer, channel = channel, lanes = lanes, giveUpAfter = giveUpAfter
        return try await GatewayConnection.with(port: port, trustRootsPEM: roots) { gateway in
            try await withThrowingTaskGroup(of: Result.self) { group in
                for lane in 0..<lanes {
                    group.addTask {
                        var result = Result()
                        var silentInARow = 0
                        for index in stride(from: lane, to: ids.count, by: lanes) {
                            guard silentInARow < giveUpAfter else {
                                result.unasked.append(ids[index])
                                continue
                            }
                            let request: Data = try Gateway_CommitStatusRequest.with {
                                $0.transactionID = ids[index]
                                $0.channelID = channel
                                $0.identity = identity
                            }.serializedBytes()
                            let signed = try Gateway_SignedCommitStatusRequest.with {
                                $0.request = request
                                $0.signature = try signer.sign(request)
                            }
                            let status = try? await gateway.commitStatus(signed, options: options)
                            silentInARow = status == nil ? silentInARow + 1 : 0
                            if status?.result != .valid { result.absent.append(ids[index]) }
                        }
                        return result
                    }
                }
                var all = Result()
                for try await lane in group {
                    all.absent += lane.absent
                    all.unasked += lane.unasked
                }
                return all
            }
        }
    }
}
