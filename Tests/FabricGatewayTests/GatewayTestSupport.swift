@testable import FabricGateway
import FabricPolicy
import FabricServices
import FabricWire
import Foundation
import Orchestrator
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import ServiceLifecycle
import SwiftProtobuf

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A signed proposal as a Fabric client builds one (the signature is not checked by these tests).
func signedProposal(channel: String = "mychannel", chaincode: String = "basic", args: [String] = ["ReadAsset", "asset1"],
                    mspID: String = "Org1MSP", nonce: Data = Data((1...24).map { UInt8($0) }),
                    transient: [String: Data] = [:]) throws -> Protos_SignedProposal {
    let creator = try Msp_SerializedIdentity.with {
        $0.mspid = mspID
        $0.idBytes = Data("-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n".utf8)
    }.serializedBytes() as Data
    let channelHeader = try Common_ChannelHeader.with {
        $0.type = Int32(Common_HeaderType.endorserTransaction.rawValue)
        $0.channelID = channel
        $0.txID = FabricTransactionID.make(nonce: nonce, creator: creator)
        $0.timestamp = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: 1_700_000_000))
        $0.extension = try Protos_ChaincodeHeaderExtension.with { $0.chaincodeID.name = chaincode }.serializedBytes()
    }
    let signatureHeader = Common_SignatureHeader.with { $0.creator = creator; $0.nonce = nonce }
    let invocation = Protos_ChaincodeInvocationSpec.with {
        $0.chaincodeSpec.chaincodeID.name = chaincode
        $0.chaincodeSpec.input.args = args.map { Data($0.utf8) }
    }
    let proposal = try Protos_Proposal.with {
        $0.header = try Common_Header.with {
            $0.channelHeader = try channelHeader.serializedBytes()
            $0.signatureHeader = try signatureHeader.serializedBytes()
        }.serializedBytes()
        $0.payload = try Protos_ChaincodeProposalPayload.with {
            $0.input = try invocation.serializedBytes()
            $0.transientMap = transient
        }.serializedBytes()
    }
    return try Protos_SignedProposal.with {
        $0.proposalBytes = try proposal.serializedBytes()
        $0.signature = Data("client-signature".utf8)
    }
}

func txID(of signed: Protos_SignedProposal) throws -> String {
    try UnpackedProposal.unpack(signed).txID
}

/// What a fake endorser does with every proposal.
enum EndorserBehaviour: Sendable {
    /// Endorses; the read-write set is `results`, so two endorsers with different `results` disagree.
    case endorse(results: String = "rwset", result: String = "the result")
    case chaincodeError(status: Int32, message: String)
    case peerError(String)
    case refuse(String)
    case unreachable
    /// Never answers (until cancelled).
    case hang
}

struct Unreachable: Error, CustomStringConvertible {
    let address: String
    var description: String { "connection to \(address) refused" }
}

/// An endorser that answers as told and records the tx ids it was asked.
final class FakeEndorser: GatewayEndorser, @unchecked Sendable {
    let address: String
    let mspID: String
    let ledgerHeight: UInt64
    let isLocal: Bool
    let behaviour: EndorserBehaviour
    private let lock = NSLock()
    private var _asked: [String] = []

    init(_ address: String, _ mspID: String, height: UInt64 = 10, local: Bool = false, _ behaviour: EndorserBehaviour = .endorse()) {
        self.address = address
        self.mspID = mspID
        self.ledgerHeight = height
        self.isLocal = local
        self.behaviour = behaviour
    }

    var asked: [String] { lock.withLock { _asked } }

    /// The identity this endorser signs with.
    var identity: Data { Data("\(mspID)@\(address)".utf8) }

    func endorse(_ proposal: UnpackedProposal) async throws -> Protos_ProposalResponse {
        lock.withLock { _asked.append(proposal.txID) }
        var behaviour = self.behaviour
        if case .endorse = behaviour, proposal.input.args.first == Data("Fail".utf8) {
            behaviour = .chaincodeError(status: 500, message: "the chaincode was asked to fail")
        }
        switch behaviour {
        case .endorse(let results, let result):
            let response = Protos_Response.with { $0.status = 200; $0.payload = Data(result.utf8) }
            let payload = try EndorsedTransaction.responsePayload(
                proposal: proposal, results: Data(results.utf8), events: Data(), response: response,
                chaincodeID: .with { $0.name = proposal.chaincodeName; $0.version = "1.0" })
            return try EndorsedTransaction.proposalResponse(payload: payload, response: response, endorser: identity) { _ in
                Data("signature of \(self.address)".utf8)
            }
        case .chaincodeError(let status, let message):
            let response = Protos_Response.with { $0.status = status; $0.message = message }
            let payload = try EndorsedTransaction.responsePayload(
                proposal: proposal, results: Data(), events: Data(), response: response,
                chaincodeID: .with { $0.name = proposal.chaincodeName; $0.version = "1.0" })
            return Protos_ProposalResponse.with { $0.version = 1; $0.response = response; $0.payload = payload }
        case .peerError(let message):
            return Protos_ProposalResponse.with { $0.response.status = 500; $0.response.message = message }
        case .refuse(let message):
            throw GatewayRefusal(message)
        case .unreachable:
            throw Unreachable(address: address)
        case .hang:
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}

/// An orderer that answers every envelope the same way and records what it got; with a
/// `board`, what it accepts is committed there as VALID in block 5.
final class FakeOrderer: GatewayOrderer, @unchecked Sendable {
    let address: String
    let mspID = "OrdererMSP"
    let answer: Orderer_BroadcastResponse?
    let board: CommitBoard?
    private let lock = NSLock()
    private var _received: [Common_Envelope] = []

    /// `status` nil: unreachable.
    init(_ address: String, _ status: Common_Status?, info: String = "", commitsTo board: CommitBoard? = nil) {
        self.address = address
        answer = status.map { status in Orderer_BroadcastResponse.with { $0.status = status; $0.info = info } }
        self.board = board
    }

    var received: [Common_Envelope] { lock.withLock { _received } }

    func broadcast(_ envelope: Common_Envelope) async throws -> Orderer_BroadcastResponse {
        lock.withLock { _received.append(envelope) }
        guard let answer else { throw Unreachable(address: address) }
        if answer.status == .success, let board, let view = try? EnvelopeView.open(envelope) {
            await board.commit(view.txID, GatewayCommitStatus(code: .valid, blockNumber: 5))
        }
        return answer
    }
}

/// Commits announced by the test, and the CommitStatus calls waiting for them (a waiting call
/// that is cancelled throws CancellationError, as a backend must).
actor CommitBoard {
    private var committed: [String: GatewayCommitStatus] = [:]
    private var waiting: [String: [UUID: CheckedContinuation<GatewayCommitStatus, any Error>]] = [:]
    private let waitersContinuation: AsyncStream<String>.Continuation
    /// The tx id of each call that started waiting, in order.
    nonisolated let waiters: AsyncStream<String>

    init() {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        waiters = stream
        waitersContinuation = continuation
    }

    func commit(_ txID: String, _ status: GatewayCommitStatus) {
        committed[txID] = status
        for continuation in (waiting.removeValue(forKey: txID) ?? [:]).values { continuation.resume(returning: status) }
    }

    func status(of txID: String) async throws -> GatewayCommitStatus {
        if let status = committed[txID] { return status }
        let id = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                waiting[txID, default: [:]][id] = continuation
                waitersContinuation.yield(txID)
            }
        } onCancel: {
            Task { await self.cancel(txID, id) }
        }
    }

    /// The tx ids of the waits that were cancelled, in order.
    private(set) var cancelled: [String] = []

    private func cancel(_ txID: String, _ id: UUID) {
        guard let continuation = waiting[txID]?.removeValue(forKey: id) else { return }
        cancelled.append(txID)
        continuation.resume(throwing: CancellationError())
    }
}

/// A two-org channel tree: Readers/Writers ANY, Endorsement MAJORITY, orgs' Endorsement = their peers.
func testChannel(orgs: [String] = ["Org1MSP", "Org2MSP"]) -> PolicyEvaluator {
    func policy(_ type: String, _ rule: String) -> Common_Policy { try! PolicyDefinition.policy(type: type, rule: rule) }
    func org(_ msp: String) -> ConfigPolicyGroup {
        ConfigPolicyGroup(policies: [
            "Readers": policy("Signature", "OR('\(msp).admin', '\(msp).peer', '\(msp).client')"),
            "Writers": policy("Signature", "OR('\(msp).admin', '\(msp).client')"),
            "Endorsement": policy("Signature", "OR('\(msp).peer')"),
        ])
    }
    var groups: [String: ConfigPolicyGroup] = [:]
    for msp in orgs { groups[msp] = org(msp) }
    return PolicyEvaluator(root: ConfigPolicyGroup(
        policies: ["Readers": policy("ImplicitMeta", "ANY Readers"), "Writers": policy("ImplicitMeta", "ANY Writers")],
        groups: ["Application": ConfigPolicyGroup(
            policies: ["Readers": policy("ImplicitMeta", "ANY Readers"), "Writers": policy("ImplicitMeta", "ANY Writers"),
                       "Endorsement": policy("ImplicitMeta", "MAJORITY Endorsement")],
            groups: groups)]))
}

func signaturePolicy(_ rule: String) -> EndorsementPolicy {
    .signature(try! SignaturePolicyRule.parse(rule))
}

/// A backend for one channel `mychannel` with chaincode `basic`, over fakes.
final class FakeBackend: GatewayBackend, @unchecked Sendable {
    let localMSPID: String
    let policies: PolicyEvaluator
    let definition: GatewayChaincode
    let endorserList: [FakeEndorser]
    let ordererList: [FakeOrderer]
    let board: CommitBoard
    /// The peer's committed chain of `mychannel`, for ChaincodeEvents.
    let chain = FakeChain()
    /// Who signs CommitStatus requests (nil: the signature is refused).
    let commitStatusSigner: PolicySigner?

    init(local: String = "Org1MSP", policy: EndorsementPolicy = .channelDefault, endorsers: [FakeEndorser],
         orderers: [FakeOrderer] = [FakeOrderer("orderer0:7050", .success)],
         commitStatusSigner: PolicySigner? = PolicySigner(mspID: "Org1MSP", roles: [.member, .client]),
         board: CommitBoard = CommitBoard()) {
        self.board = board
        localMSPID = local
        policies = testChannel()
        definition = GatewayChaincode(name: "basic", version: "1.0", endorsementPolicy: policy)
        endorserList = endorsers
        ordererList = orderers
        self.commitStatusSigner = commitStatusSigner
    }

    func channelPolicies(_ channel: String) async -> PolicyEvaluator? { channel == "mychannel" ? policies : nil }
    func chaincode(_ name: String, channel: String) async -> GatewayChaincode? {
        channel == "mychannel" && name == definition.name ? definition : nil
    }
    func endorsers(channel: String) async -> [any GatewayEndorser] { endorserList }
    func orderers(channel: String) async -> [any GatewayOrderer] { ordererList }
    func authenticate(channel: String, identity: Data, signature: Data, signedData: Data) async throws(GatewayRefusal) -> PolicySigner {
        guard let commitStatusSigner, signature == Data("good".utf8) else {
            throw GatewayRefusal("the signature does not verify with the identity's certificate")
        }
        return commitStatusSigner
    }
    func commitStatus(channel: String, transactionID: String) async throws -> GatewayCommitStatus {
        try await board.status(of: transactionID)
    }
    func committedBlocks(channel: String) async -> (any CommittedBlocks)? { channel == "mychannel" ? chain : nil }
}

/// A committed chain the test appends to; a reader waiting for the next block is woken by it,
/// or by the cancellation of its task (as a peer's ledger wakes its Deliver waiters).
actor FakeChain: CommittedBlocks {
    private var blocks: [Common_Block] = []
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    func append(_ block: Common_Block) {
        blocks.append(block)
        let woken = waiters.values
        waiters = [:]
        for waiter in woken { waiter.resume() }
    }

    /// Readers waiting for a block not committed yet.
    var waiting: Int { waiters.count }

    func height() -> UInt64 { UInt64(blocks.count) }
    func blockNumber(ofTransaction transactionID: String) -> UInt64? {
        blocks.first { block in block.data.data.contains { (try? EnvelopeView.open($0))?.txID == transactionID } }?.header.number
    }
    func block(_ number: UInt64) -> Common_Block? { number < blocks.count ? blocks[Int(number)] : nil }
    func waitForBlock(_ number: UInt64) async throws {
        while blocks.count <= number {
            try Task.checkCancellation()
            let id = UUID()
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    if Task.isCancelled { continuation.resume() } else { waiters[id] = continuation }
                }
            } onCancel: {
                Task { await self.wake(id) }
            }
        }
    }

    private func wake(_ id: UUID) { waiters.removeValue(forKey: id)?.resume() }
}

/// A committed block of `transactions`: each an endorsed transaction of `chaincode` carrying the
/// event `event` (none when nil), with its validation code.
func blockWithEvents(number: UInt64, _ transactions: [(chaincode: String, event: String?, code: Protos_TxValidationCode)]) throws -> Common_Block {
    var block = Common_Block()
    block.header.number = number
    for (index, transaction) in transactions.enumerated() {
        let proposal = try UnpackedProposal.unpack(try signedProposal(chaincode: transaction.chaincode, args: ["f"],
                                                                      nonce: Data((0..<24).map { UInt8(truncatingIfNeeded: Int(number) * 31 + index + $0) })))
        let events: Data = try transaction.event.map { name in
            try Protos_ChaincodeEvent.with {
                $0.chaincodeID = transaction.chaincode
                $0.txID = proposal.txID
                $0.eventName = name
                $0.payload = Data("payload of \(name)".utf8)
            }.serializedBytes()
        } ?? Data()
        var chaincodeID = proposal.chaincodeID
        chaincodeID.version = "1.0"
        let payload = try EndorsedTransaction.responsePayload(proposal: proposal, results: Data(), events: events,
                                                              response: .with { $0.status = 200 }, chaincodeID: chaincodeID)
        var envelope = try GatewayResults.preparedTransaction(proposal: proposal, responsePayload: payload, endorsements: [])
        envelope.signature = Data("client-signature".utf8)
        block.data.data.append(try envelope.serializedBytes())
    }
    BlockMetadataLayout.setTransactionsFilter(transactions.map(\.code), in: &block)
    return block
}

/// Runs a Gateway over `backend` on a plaintext GRPCEndpoint on 127.0.0.1 and calls `body` with a
/// client; stops the endpoint afterwards (failing if anything takes longer than 30 s).
func withGateway<T: Sendable>(_ backend: any GatewayBackend, options: GatewayOptions = GatewayOptions(),
                              _ body: @escaping @Sendable (Gateway_Gateway.Client<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
    try await withGatewayPort(backend, options: options) { port in
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port),
                                                       transportSecurity: .plaintext)
        return try await withDeadline(seconds: 30, "the gateway calls") {
            try await withGRPCClient(transport: transport) { client in
                try await body(Gateway_Gateway.Client(wrapping: client))
            }
        }
    }
}

/// Runs a Gateway over `backend` on a plaintext GRPCEndpoint on 127.0.0.1 and calls `body` with
/// its port; stops the endpoint afterwards.
func withGatewayPort<T: Sendable>(_ backend: any GatewayBackend, options: GatewayOptions = GatewayOptions(),
                                  _ body: @escaping @Sendable (Int) async throws -> T) async throws -> T {
    let endpoint = try GRPCEndpoint(host: "127.0.0.1", port: 0, security: .plaintext,
                                    services: [GatewayService(backend, options: options)])
    return try await withRunningEndpoint(endpoint, body)
}


/// Runs `endpoint` in a `ServiceGroup`, runs `body` with its port, then shuts the group down
/// gracefully and waits for it to return.
func withRunningEndpoint<T: Sendable>(_ endpoint: GRPCEndpoint,
                                      _ body: @escaping @Sendable (Int) async throws -> T) async throws -> T {
    let group = ServiceGroup(services: [endpoint], logger: Logger(label: "test"))
    let running = Task { try await group.run() }
    let outcome: Result<T, any Error>
    do {
        let port = try await withDeadline(seconds: 20, "binding the endpoint") { try await endpoint.port }
        outcome = .success(try await body(port))
    } catch {
        outcome = .failure(error)
    }
    await group.triggerGracefulShutdown()
    try await withDeadline(seconds: 20, "stopping the endpoint") { try await running.value }
    return try outcome.get()
}

/// The RPCError `body` throws (failing when it throws none or another kind).
func rpcError(_ body: () async throws -> Void) async throws -> RPCError {
    do {
        try await body()
    } catch let error as RPCError {
        return error
    }
    throw TestFailure("the call succeeded; an RPCError was expected")
}
