import FabricPolicy
import FabricWire
import Foundation

/// What a peer gives its Fabric Gateway: its channels' policies and chaincode definitions, the
/// endorsers and orderers it can reach, identity checks and the commit notifier.
/// ``GatewayService`` does the rest (request checks, planning, comparing, Fabric's errors).
///
/// Contract:
/// - `channelPolicies` is nil exactly when this peer does not serve `channel`.
/// - `endorsers` lists every peer of the channel that can endorse now, this peer included
///   (marked `isLocal`), with the ledger height last known for each; order does not matter.
/// - `orderers` lists the ordering nodes to broadcast to, in the order to try them.
/// - `authenticate` verifies `signature` over `signedData` by the serialized identity `identity`
///   (certificate of a channel org, ECDSA low-S) and answers the signer with its roles; it throws
///   ``GatewayRefusal`` when the identity or signature is not acceptable. Policies are the
///   gateway's job, not this method's.
/// - `commitStatus` answers once this peer has committed `transactionID` on `channel`, waiting
///   for it if need be; it must return or throw when its task is cancelled (the client left).
public protocol GatewayBackend: Sendable {
    /// This peer's organization: its endorsers are asked first and it evaluates when it can.
    var localMSPID: String { get }
    func channelPolicies(_ channel: String) async -> PolicyEvaluator?
    func chaincode(_ name: String, channel: String) async -> GatewayChaincode?
    func endorsers(channel: String) async -> [any GatewayEndorser]
    func orderers(channel: String) async -> [any GatewayOrderer]
    func authenticate(channel: String, identity: Data, signature: Data, signedData: Data) async throws(GatewayRefusal) -> PolicySigner
    func commitStatus(channel: String, transactionID: String) async throws -> GatewayCommitStatus
    func committedBlocks(channel: String) async -> (any CommittedBlocks)?
}

/// One peer that endorses proposals for the gateway: this peer itself, or another one reached
/// over fabnet's transport.
///
/// Contract for `endorse`: answer as Fabric's endorser does. A chaincode error is a response
/// with status ≥ 400 *and* a payload; a failure of the peer itself (simulation, chaincode
/// unreachable) is status 500 with no payload. Throw ``GatewayRefusal`` when the endorser refused
/// the proposal before running it (signature, Writers, duplicate tx id: the client's fault, not
/// retried); throw anything else when the peer could not be reached (retried on another peer).
/// Return or throw promptly when the task is cancelled (the endorsement timeout, or the client
/// gone): the gateway waits for the call to end.
public protocol GatewayEndorser: Sendable {
    /// host:port, as the error details name it.
    var address: String { get }
    var mspID: String { get }
    /// The height of this endorser's ledger on the channel (blocks committed), as last known.
    var ledgerHeight: UInt64 { get }
    /// True for the peer running this gateway.
    var isLocal: Bool { get }
    func endorse(_ proposal: UnpackedProposal) async throws -> Protos_ProposalResponse
}

/// An ordering node the gateway submits transactions to.
///
/// Contract for `broadcast`: the orderer's answer for this one envelope; throw when it cannot
/// be reached (the gateway tries the next orderer), and promptly when the task is cancelled.
public protocol GatewayOrderer: Sendable {
    var address: String { get }
    var mspID: String { get }
    func broadcast(_ envelope: Common_Envelope) async throws -> Orderer_BroadcastResponse
}

/// A chaincode defined on a channel: its name, version and endorsement policy.
public struct GatewayChaincode: Sendable, Equatable {
    public var name: String
    public var version: String
    public var endorsementPolicy: EndorsementPolicy

    public init(name: String, version: String, endorsementPolicy: EndorsementPolicy) {
        self.name = name
        self.version = version
        self.endorsementPolicy = endorsementPolicy
    }
}

/// How a committed transaction was validated: its code and block, as CommitStatus answers.
public struct GatewayCommitStatus: Sendable, Equatable {
    public var code: Protos_TxValidationCode
    public var blockNumber: UInt64

    public init(code: Protos_TxValidationCode, blockNumber: UInt64) {
        self.code = code
        self.blockNumber = blockNumber
    }
}

/// A refusal by a peer or by the backend of something the client sent (bad signature, unknown
/// identity, an ACL): the client's fault, so never retried elsewhere.
///
/// Guarantees: `message` says what was refused and why, for the client.
public struct GatewayRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
