import FabnetClient
import FabnetCrypto
import FabnetModel
import FabnetWire
import FabricGateway
import FabricPolicy
import FabricWire
import Foundation
import GossipCore
import Ledger
import Transport
import TxValidation

/// What the Fabric Gateway on this peer's `grpcPort` (`FabricGateway.GatewayService`) needs from
/// the peer: the channel's policies and chaincode definitions in force, the endorsers (this peer,
/// and the other peers of the channel's orgs that gossip shows alive, with their heights), the
/// orderer, identity checks and commit statuses.
///
/// Guarantees: remote endorsers are asked over fabnet's framing (`endorse` packets) with this
/// peer's identity and this peer's ledger height, so each simulates on a state at least as new
/// as the gateway's (it waits to catch up, or refuses); the local one runs in process; a commit status waits until this peer's
/// ledger holds the transaction (returning its code and block) or the call is cancelled.
extension PeerService: GatewayBackend {
    public nonisolated var localMSPID: String { home.configuration.mspID }

    public func channelPolicies(_ channel: String) async -> PolicyEvaluator? { channelPolicies[channel] }

    public func chaincode(_ name: String, channel: String) async -> GatewayChaincode? {
        guard ledgers[channel] != nil else { return nil }
        if name == TransactionBuilder.namespace {
            return GatewayChaincode(name: name, version: BuiltInContract.version, endorsementPolicy: .channelDefault)
        }
        guard let definition = definitions[channel]?[name] else { return nil }
        let policy: FabricGateway.EndorsementPolicy
        switch definition.policy {
        case .signature(let envelope): policy = .signature(envelope)
        case .channelPolicy(let path): policy = .channelPolicy(path)
        }
        return GatewayChaincode(name: name, version: definition.version, endorsementPolicy: policy)
    }

    public func endorsers(channel: String) async -> [any GatewayEndorser] {
        guard let ledger = ledgers[channel], let organizations = channelOrganizations[channel] else { return [] }
        let local = LocalEndorser(peer: self, address: home.configuration.endpoint, mspID: home.configuration.mspID, ledgerHeight: ledger.height)
        var result: [any GatewayEndorser] = [local]
        let heights = core.channelPeerHeights(channel)
        // Only peers that published their state of this channel (so they joined it) and are reachable.
        for member in core.membership.aliveMembers where member.alive.pkiID != credentials.signer.pkiID {
            let alive = member.alive
            guard organizations.contains(alive.mspID), let height = heights[alive.pkiID],
                  let endpoint = alive.internalEndpoint ?? alive.externalEndpoint else { continue }
            result.append(RemoteEndorser(link: gatewayLink(to: endpoint), address: endpoint.description, mspID: alive.mspID,
                                         ledgerHeight: height, gatewayHeight: ledger.height))
        }
        return result
    }

    public func orderers(channel: String) async -> [any GatewayOrderer] {
        guard let endpoint = try? PeerHome.Configuration.endpoint(home.configuration.orderer, field: "orderer") else { return [] }
        return [GatewayOrdererClient(link: gatewayLink(to: endpoint), address: endpoint.description,
                                     mspID: home.configuration.ordererOrganizations.first ?? "")]
    }

    /// The gateway's one connection to `endpoint`, opened on first use and kept until the peer stops.
    /// A stopping peer keeps no new link: it answers with one already closed.
    func gatewayLink(to endpoint: Endpoint) -> MultiplexedLink {
        if let link = gatewayLinks[endpoint.description] { return link }
        let link = MultiplexedLink(transport: Transport(credentials: credentials), port: endpoint.port, serverHostname: endpoint.host)
        guard !stopped else {
            link.close()
            return link
        }
        gatewayLinks[endpoint.description] = link
        return link
    }

    public nonisolated func authenticate(channel: String, identity: Data, signature: Data, signedData: Data) async throws(GatewayRefusal) -> PolicySigner {
        guard let decoded = try? Msp_SerializedIdentity(serializedBytes: identity) else { throw GatewayRefusal("the identity does not decode as a msp.SerializedIdentity") }
        do {
            let signer = try await identities.verify(signature: signature, over: signedData, by: WireSerializedIdentity(decoded))
            return PolicySigner(signer, identity: identity)
        } catch {
            throw GatewayRefusal("\(error)")
        }
    }

    public func committedBlocks(channel: String) async -> (any CommittedBlocks)? {
        ledgers[channel] == nil ? nil : PeerLedgerView(peer: self, channel: channel)
    }

    public func commitStatus(channel: String, transactionID: String) async throws -> GatewayCommitStatus {
        while true {
            guard let ledger = ledgers[channel] else { throw GatewayRefusal("this peer has not joined \(channel)") }
            if let location = ledger.transactions[transactionID] {
                return GatewayCommitStatus(code: location.code, blockNumber: location.block)
            }
            await waitForBlock(ledger.height, channel: channel)
            try Task.checkCancellation()
        }
    }
}

extension PeerLedgerView: CommittedBlocks {}

/// This peer as an endorser of its own gateway.
struct LocalEndorser: GatewayEndorser {
    let peer: PeerService
    let address: String
    let mspID: String
    let ledgerHeight: UInt64
    var isLocal: Bool { true }

    func endorse(_ proposal: UnpackedProposal) async throws -> Protos_ProposalResponse {
        await peer.endorse(proposal.signedProposal)
    }
}

/// Another peer of the channel, asked over fabnet's framing to endorse at (at least) the
/// gateway's height.
struct RemoteEndorser: GatewayEndorser {
    let link: MultiplexedLink
    let address: String
    let mspID: String
    /// Its height as gossip last reported it (for planning).
    let ledgerHeight: UInt64
    /// The gateway's own height when it planned: the endorser simulates only at this height or above.
    let gatewayHeight: UInt64
    var isLocal: Bool { false }

    func endorse(_ proposal: UnpackedProposal) async throws -> Protos_ProposalResponse {
        try await link.endorse(proposal.signedProposal, minimumHeight: gatewayHeight)
    }
}

/// The ordering service as the gateway submits to it (fabnet's framing, one long-lived connection).
struct GatewayOrdererClient: GatewayOrderer {
    let link: MultiplexedLink
    let address: String
    let mspID: String

    func broadcast(_ envelope: Common_Envelope) async throws -> Orderer_BroadcastResponse {
        var wire = WireEnvelope()
        wire.payload = envelope.payload
        wire.signature = envelope.signature
        let answer = try await link.broadcast(wire)
        var response = Orderer_BroadcastResponse()
        response.status = Common_Status(rawValue: answer.status.rawValue) ?? .internalServerError
        response.info = answer.info
        return response
    }
}

/// The gateway's settings on a fabnet peer.
///
/// Heights of other peers come from gossip's state info, which trails commits by up to its
/// publishing interval (under load, several blocks), so planning only with peers at exactly the
/// highest height known would leave whole orgs out; 10 blocks of tolerance keep them in. The rule that
/// endorsements read the gateway's state holds anyway: each remote endorser is told the
/// gateway's height and waits for it (or refuses).
public enum PeerGatewaySettings {
    public static var options: GatewayOptions {
        var options = GatewayOptions()
        options.maximumHeightLag = 10
        return options
    }
}

