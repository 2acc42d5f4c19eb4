import FabricPolicy
import FabricWire
import Foundation
import GRPCCore
import Logging

/// Fabric's `gateway.Gateway` on a peer, over a ``GatewayBackend``.
///
/// Guarantees, each as Fabric's gateway does it (codes and messages; see each step's type):
/// - Evaluate: the request checked (``GatewayRequestCheck``), one peer chosen and retried within
///   its org (``EvaluationPlan``); answers the chaincode's `Response`, its payload the result
///   (``GatewayResults/evaluateResult(_:)``).
/// - Endorse: the request checked, endorsers planned from the chaincode's endorsement policy or
///   the client's orgs (``EndorsementPlan``), asked round by round concurrently, payloads
///   compared (``EndorsementCollector``); answers the unsigned prepared transaction.
/// - Submit: the signed envelope checked, then offered to each orderer in turn until one
///   accepts: SUCCESS answers; a 4xx status is ABORTED `received unsuccessful response from
///   orderer: status=<NAME>, info=<info>` at once (Fabric's `submitNonBFT`); after every orderer
///   failed otherwise, UNAVAILABLE `no orderers could successfully process transaction` with a
///   detail per orderer; no orderer at all is UNAVAILABLE `no orderer nodes available`.
/// - CommitStatus: the request checked, its signature verified by the backend and its signer a
///   channel Reader (`/Channel/Application/Readers`, Fabric's default ACL for it), else
///   PERMISSION_DENIED; then waits for the commit and answers its code and block. A backend error
///   while waiting is ABORTED (Fabric's `toRpcError(err, Aborted)`), a gRPC error passes through.
/// - A channel this peer does not serve is NOT_FOUND, and so is a chaincode not defined on it
///   (Fabric answers what its discovery service says, FAILED_PRECONDITION or UNAVAILABLE; fabnet
///   knows and says which).
/// - ChaincodeEvents streams one response per block holding the chaincode's events (valid
///   transactions only), from the next commit or a specified block; with `after_transaction_id`
///   of a committed transaction, from that transaction's block, after it.
/// - A call whose RPC gRPC cancels (deadline, client gone, shutdown) is cancelled with it: a
///   waiting CommitStatus ends CANCELLED and never holds up the server's shutdown.
public struct GatewayService: Gateway_Gateway.SimpleServiceProtocol, Sendable {
    /// The ACL Fabric applies to CommitStatus by default.
    public static let commitStatusPolicy = "/Channel/Application/Readers"

    private let backend: any GatewayBackend
    private let options: GatewayOptions
    private let logger: Logger

    public init(_ backend: any GatewayBackend, options: GatewayOptions = GatewayOptions(),
                logger: Logger = Logger(label: "fabnet.gateway")) {
        self.backend = backend
        self.options = options
        self.logger = logger
    }

    // MARK: gRPC methods

    public func evaluate(request: Gateway_EvaluateRequest, context: ServerContext) async throws -> Gateway_EvaluateResponse {
        try await Self.served { () async throws(GatewayFailure) in try await self.evaluate(request) }
    }

    public func endorse(request: Gateway_EndorseRequest, context: ServerContext) async throws -> Gateway_EndorseResponse {
        try await Self.served { () async throws(GatewayFailure) in try await self.endorse(request) }
    }

    public func submit(request: Gateway_SubmitRequest, context: ServerContext) async throws -> Gateway_SubmitResponse {
        try await Self.served { () async throws(GatewayFailure) in try await self.submit(request) }
    }

    public func commitStatus(request: Gateway_SignedCommitStatusRequest, context: ServerContext) async throws -> Gateway_CommitStatusResponse {
        try await Self.served { () async throws(GatewayFailure) in try await self.commitStatus(request) }
    }

    public func chaincodeEvents(request: Gateway_SignedChaincodeEventsRequest,
                                response: RPCWriter<Gateway_ChaincodeEventsResponse>,
                                context: ServerContext) async throws {
        try await Self.served { () async throws(GatewayFailure) in
            try await self.chaincodeEvents(request) { try await response.write($0) }
        }
    }

    // MARK: the calls, with typed failures

    public func evaluate(_ request: Gateway_EvaluateRequest) async throws(GatewayFailure) -> Gateway_EvaluateResponse {
        let proposal = try GatewayRequestCheck.proposal(request.hasProposedTransaction ? request.proposedTransaction : nil,
                                                        call: .evaluate, transactionID: request.transactionID,
                                                        channelID: request.channelID)
        _ = try await self.channel(proposal.channelID)
        _ = try await self.chaincode(proposal.chaincodeName, channel: proposal.channelID)
        let endorsers = await backend.endorsers(channel: proposal.channelID)
        var plan = try EvaluationPlan.make(candidates: Self.candidates(endorsers), localMSPID: backend.localMSPID,
                                           targetOrganizations: request.targetOrganizations,
                                           hasTransientData: !proposal.proposalPayload.transientMap.isEmpty,
                                           maximumLag: options.maximumHeightLag, chaincode: proposal.chaincodeName,
                                           channelID: proposal.channelID)
        var step = plan.first
        while true {
            switch step {
            case .ask(let candidate):
                let answer = await ask(endorsers[candidate.index], proposal)
                step = plan.record(candidate, answer)
            case .evaluated(let response):
                return Gateway_EvaluateResponse.with { $0.result = GatewayResults.evaluateResult(response) }
            case .failed(let failure):
                logger.debug("evaluate failed", metadata: ["txID": "\(proposal.txID)", "error": "\(failure)"])
                throw failure
            }
        }
    }

    public func endorse(_ request: Gateway_EndorseRequest) async throws(GatewayFailure) -> Gateway_EndorseResponse {
        let proposal = try GatewayRequestCheck.proposal(request.hasProposedTransaction ? request.proposedTransaction : nil,
                                                        call: .endorse, transactionID: request.transactionID,
                                                        channelID: request.channelID)
        let policies = try await self.channel(proposal.channelID)
        let chaincode = try await self.chaincode(proposal.chaincodeName, channel: proposal.channelID)
        let endorsers = await backend.endorsers(channel: proposal.channelID)
        let plan = try EndorsementPlan.make(policy: chaincode.endorsementPolicy, channel: policies,
                                            candidates: Self.candidates(endorsers), localMSPID: backend.localMSPID,
                                            requestedOrganizations: request.endorsingOrganizations,
                                            maximumLag: options.maximumHeightLag, chaincode: chaincode.name,
                                            channelID: proposal.channelID)
        var collector = EndorsementCollector(plan)
        while true {
            switch collector.next() {
            case .ask(let round):
                let answers = await ask(round, of: endorsers, proposal)
                for candidate in round { collector.record(candidate, answers[candidate.index]!) }
            case .endorsed(let payload, let endorsements):
                do {
                    let prepared = try GatewayResults.preparedTransaction(proposal: proposal, responsePayload: payload,
                                                                          endorsements: endorsements)
                    return Gateway_EndorseResponse.with { $0.preparedTransaction = prepared }
                } catch {
                    throw GatewayFailure(.aborted, "failed to assemble transaction: \(error)")
                }
            case .failed(let failure):
                logger.debug("endorse failed", metadata: ["txID": "\(proposal.txID)", "error": "\(failure)"])
                throw failure
            }
        }
    }

    public func submit(_ request: Gateway_SubmitRequest) async throws(GatewayFailure) -> Gateway_SubmitResponse {
        let transaction = try GatewayRequestCheck.submission(request)
        _ = try await self.channel(transaction.channelID)
        let orderers = await backend.orderers(channel: transaction.channelID)
        guard !orderers.isEmpty else { throw GatewayFailure(.unavailable, "no orderer nodes available") }
        var details: [Gateway_ErrorDetail] = []
        let envelope = request.preparedTransaction
        let limit = options.broadcastTimeout
        for orderer in orderers {
            let answer: Orderer_BroadcastResponse
            do {
                answer = try await withTimeout(limit, "orderer \(orderer.address)") { try await orderer.broadcast(envelope) }
            } catch {
                details.append(GatewayFailure.detail(address: orderer.address, mspID: orderer.mspID, "\(error)"))
                continue
            }
            if answer.status == .success { return Gateway_SubmitResponse() }
            let message = "received unsuccessful response from orderer: status=\(GatewayResults.statusName(answer.status)), info=\(answer.info)"
            if (400..<500).contains(answer.status.rawValue) {
                throw GatewayFailure(.aborted, message)
            }
            details.append(GatewayFailure.detail(address: orderer.address, mspID: orderer.mspID, message))
        }
        throw GatewayFailure(.unavailable, "no orderers could successfully process transaction", details: details)
    }

    public func commitStatus(_ signed: Gateway_SignedCommitStatusRequest) async throws(GatewayFailure) -> Gateway_CommitStatusResponse {
        let request = try GatewayRequestCheck.commitStatus(signed)
        try await checkReader(channel: request.channelID, identity: request.identity, signature: signed.signature, signedData: signed.request,
                              request: "commit status request", reading: "the commit status of transactions on channel")
        let status: GatewayCommitStatus
        do {
            status = try await backend.commitStatus(channel: request.channelID, transactionID: request.transactionID)
        } catch let error as RPCError {
            throw GatewayFailure(error.code, error.message)
        } catch is CancellationError {
            throw GatewayFailure(.cancelled, "the commit status request was cancelled before transaction \(request.transactionID) committed")
        } catch {
            throw GatewayFailure(.aborted, "\(error)")
        }
        return Gateway_CommitStatusResponse.with {
            $0.result = status.code
            $0.blockNumber = status.blockNumber
        }
    }

    /// `ChaincodeEvents`: from the start position on, one response per committed block that holds
    /// events of the chaincode (valid transactions only), following the chain until the client
    /// leaves. The signer must satisfy the channel's Readers, as for CommitStatus.
    public func chaincodeEvents(_ signed: Gateway_SignedChaincodeEventsRequest,
                                send: @escaping @Sendable (Gateway_ChaincodeEventsResponse) async throws -> Void) async throws(GatewayFailure) {
        let request = try GatewayRequestCheck.chaincodeEvents(signed)
        try await checkReader(channel: request.channelID, identity: request.identity, signature: signed.signature, signedData: signed.request,
                              request: "chaincode events request", reading: "the events of channel")
        guard let blocks = await backend.committedBlocks(channel: request.channelID) else {
            throw GatewayFailure(.notFound, "channel '\(request.channelID)' is not served by this peer of \(backend.localMSPID)")
        }
        // As Fabric's gateway: resuming after a transaction this peer committed starts at its
        // block, whatever the start position says; otherwise the start position decides.
        var number: UInt64
        if !request.afterTransactionID.isEmpty, let block = await blocks.blockNumber(ofTransaction: request.afterTransactionID) {
            number = block
        } else {
            number = try GatewayRequestCheck.firstBlock(of: request.hasStartPosition ? request.startPosition : nil, height: await blocks.height())
        }
        var after = request.afterTransactionID
        do {
            while true {
                if await blocks.height() <= number { try await blocks.waitForBlock(number) }
                guard let block = try await blocks.block(number) else {
                    throw GatewayFailure(.unavailable, "block \(number) of channel '\(request.channelID)' could not be read on this peer")
                }
                let events = ChaincodeEventScan.events(in: block, chaincode: request.chaincodeID, after: after)
                after = ""
                if !events.isEmpty {
                    try await send(.with { $0.blockNumber = number; $0.events = events })
                }
                number += 1
            }
        } catch let failure as GatewayFailure {
            throw failure
        } catch is CancellationError {
            throw GatewayFailure(.cancelled, "the chaincode events request was cancelled")
        } catch {
            throw GatewayFailure(.unavailable, "chaincode events of '\(request.chaincodeID)' on channel '\(request.channelID)' stopped: \(error)")
        }
    }

    // MARK: helpers

    /// Runs one call as the handler of its RPC: in a task of its own that is cancelled when gRPC
    /// cancels the RPC (deadline passed, client gone, server shutting down; grpc-swift signals
    /// these through the RPC's cancellation handle, not by cancelling the handler's task), so a
    /// CommitStatus waiting for a commit, or an endorsement, ends then. A failure becomes Fabric's
    /// RPCError.
    static func served<T: Sendable>(_ call: @escaping @Sendable () async throws(GatewayFailure) -> T) async throws(RPCError) -> T {
        let task = Task { () async -> Result<T, GatewayFailure> in
            do throws(GatewayFailure) { return .success(try await call()) } catch { return .failure(error) }
        }
        let result = await withTaskCancellationHandler {
            await withRPCCancellationHandler { await task.value } onCancelRPC: { task.cancel() }
        } onCancel: {
            task.cancel()
        }
        switch result {
        case .success(let value): return value
        case .failure(let failure): throw failure.rpcError
        }
    }

    /// The ACL of CommitStatus and ChaincodeEvents: the request's signature verifies with its
    /// identity, and that signer satisfies the channel's Readers; else PERMISSION_DENIED saying
    /// which (`request` and `reading` name the call in the message).
    private func checkReader(channel: String, identity: Data, signature: Data, signedData: Data,
                             request: String, reading: String) async throws(GatewayFailure) {
        let policies = try await self.channel(channel)
        let signer: PolicySigner
        do throws(GatewayRefusal) {
            signer = try await backend.authenticate(channel: channel, identity: identity, signature: signature, signedData: signedData)
        } catch {
            throw GatewayFailure(.permissionDenied, "the \(request)'s signer is refused on channel '\(channel)': \(error.message)")
        }
        let readers = policies.evaluate(Self.commitStatusPolicy, signers: [signer])
        guard readers.satisfied else {
            throw GatewayFailure(.permissionDenied, "\(signer.label) may not read \(reading) '\(channel)': \(readers.explanation)")
        }
    }

    private func channel(_ id: String) async throws(GatewayFailure) -> PolicyEvaluator {
        guard let policies = await backend.channelPolicies(id) else {
            throw GatewayFailure(.notFound, "channel '\(id)' is not served by this peer of \(backend.localMSPID); check the channel name, or ask a peer that joined it")
        }
        return policies
    }

    private func chaincode(_ name: String, channel: String) async throws(GatewayFailure) -> GatewayChaincode {
        guard let chaincode = await backend.chaincode(name, channel: channel) else {
            throw GatewayFailure(.notFound, "chaincode '\(name)' is not defined on channel '\(channel)'; deploy it first (fabnet chaincode deploy \(name) --channel \(channel) ...)")
        }
        return chaincode
    }

    static func candidates(_ endorsers: [any GatewayEndorser]) -> [EndorserCandidate] {
        endorsers.enumerated().map { index, endorser in
            EndorserCandidate(index: index, address: endorser.address, mspID: endorser.mspID,
                              ledgerHeight: endorser.ledgerHeight, isLocal: endorser.isLocal)
        }
    }

    /// One endorser's answer, classified; a call past the endorsement timeout is unreachable.
    private func ask(_ endorser: any GatewayEndorser, _ proposal: UnpackedProposal) async -> EndorserAnswer {
        let limit = options.endorsementTimeout
        do {
            let response = try await withTimeout(limit, "endorser \(endorser.address)") { try await endorser.endorse(proposal) }
            return EndorserAnswer.classify(.success(response))
        } catch {
            return EndorserAnswer.classify(.failure(error))
        }
    }

    /// The answers of one round, asked concurrently, by endorser index.
    private func ask(_ round: [EndorserCandidate], of endorsers: [any GatewayEndorser],
                     _ proposal: UnpackedProposal) async -> [Int: EndorserAnswer] {
        await withTaskGroup(of: (Int, EndorserAnswer).self) { group in
            for candidate in round {
                let endorser = endorsers[candidate.index]
                group.addTask { (candidate.index, await self.ask(endorser, proposal)) }
            }
            var answers: [Int: EndorserAnswer] = [:]
            for await (index, answer) in group { answers[index] = answer }
            return answers
        }
    }
}
