import FabnetCrypto
import FabnetModel
import FabnetWire
import FabricPolicy
import FabricWire
import Foundation
import GossipCore
import Ledger
import Transport
import TxValidation
import FabnetClient

extension PeerService {
    /// Answers an admin request signed by an admin of this peer's org: join a channel from its
    /// genesis block, list channels, status (channels, heights, leadership, membership),
    /// world-state queries, chaincode connections, and a channel's ledger digest (`fabnet check`). Anyone else gets `forbidden` with the reason.
    func admin(_ envelope: WireEnvelope, from remote: VerifiedSigner) async -> WireAdminResponse {
        var response = WireAdminResponse()
        let request: WireAdminRequest
        let signer: VerifiedSigner
        do {
            request = try WireAdminRequest(serializedBytes: envelope.payload)
            signer = try await identities.verify(signature: envelope.signature, over: envelope.payload, by: request.creator)
        } catch {
            response.status = .forbidden
            response.info = "\(error)"
            return response
        }
        let mspID = home.configuration.mspID
        guard signer.mspID == mspID, signer.role == .admin else {
            response.status = .forbidden
            response.info = "only an admin (NodeOU admin) of \(mspID) may administer this peer (got \(signer.mspID) \(signer.role.rawValue))"
            return response
        }
        response.status = .success
        switch request.command {
        case .joinChannel(let join)?:
            do {
                response.info = try joinChannel(genesis: try Common_Block(serializedBytes: join.genesisBlock))
            } catch {
                response.status = .badRequest
                response.info = "\(error)"
            }
        case .listChannels?:
            response.channels = channelInfo()
        case .peerStatus?:
            response = statusResponse()
        case .queryState(let query)?:
            guard let ledger = joinedLedger(query.channel, answering: &response) else { return response }
            let namespace = query.namespace.isEmpty ? TransactionBuilder.namespace : query.namespace
            if let value = ledger.state[namespace, query.key] {
                response.found = true
                response.value = value.value
                response.versionBlock = value.version.block
                response.versionTx = value.version.transaction
                response.info = "version \(value.version)"
            }
        case .connectChaincode(let request)?:
            let connection = request.connection
            guard joinedLedger(connection.channel, answering: &response) != nil else { return response }
            // An empty address: the chaincode dials this peer (protos.ChaincodeSupport/Register).
            let dialsIn = connection.address.isEmpty
            guard !connection.name.isEmpty, dialsIn || Endpoint(parsing: connection.address) != nil, !(dialsIn && !connection.tlsRootCertificate.isEmpty) else {
                response.status = .badRequest
                response.info = "a chaincode connection needs a name and either a HOST:PORT address or none (the chaincode dials in, without a TLS root) (got '\(connection.name)' at '\(connection.address)')"
                return response
            }
            do {
                try chaincodeConnections.save(connection)
                let reached = dialsIn ? "dials in at \(chaincodeDialInAddress) (CORE_CHAINCODE_ID_NAME=\(connection.chaincodeID.isEmpty ? connection.name : connection.chaincodeID))"
                    : "reached at \(connection.address)\(connection.tlsRootCertificate.isEmpty ? "" : " over TLS")"
                response.info = "\(connection.name) on \(connection.channel): \(reached)"
                loggers.peer.info("chaincode \(connection.name) on \(connection.channel): \(reached)")
            } catch {
                response.status = .internalServerError
                response.info = "cannot save the connection in \(home.chaincodesFile.path): \(error)"
            }
        case .listChaincodes(let request)?:
            guard let ledger = joinedLedger(request.channel, answering: &response) else { return response }
            response.chaincodes = ChaincodeDefinitions.all(in: ledger.state).map { name, definition, version in
                var status = WireChaincodeStatus()
                status.definition = definition
                status.definedAtBlock = version.block
                if let connection = chaincodeConnections.connection(channel: request.channel, name: name) { status.connection = connection }
                status.state = chaincodeState(channel: request.channel, name: name)
                status.connected = status.state == "ready"
                return status
            }
        case .setFaults(let request)?:
            do {
                guard let faults = credentials.faults else { throw TransportError.handshakeRefused(reason: "this peer runs without a fault switch") }
                response.info = try faults.apply(json: request.planJson)
                loggers.peer.info("fabnet fault: \(response.info)")
            } catch {
                response.status = .badRequest
                response.info = "cannot apply the fault plan: \(error)"
            }
        case .ledgerDigest(let request)?:
            guard let ledger = joinedLedger(request.channel, answering: &response) else { return response }
            do {
                let digest = try ledger.digest()
                response.blockDigests = digest.blocks.map { block in
                    var wire = WireBlockDigest()
                    wire.headerHash = Data(block.header)
                    wire.flagsHash = Data(block.flags)
                    return wire
                }
                response.stateDigest = Data(digest.state)
            } catch {
                response.status = .internalServerError
                response.info = "cannot read \(request.channel)'s ledger: \(error)"
            }
        case nil:
            response.status = .badRequest
            response.info = "no command"
        }
        return response
    }

    /// The ledger of `channel`, or nil with `response` made a not-found naming the channels joined.
    private func joinedLedger(_ channel: String, answering response: inout WireAdminResponse) -> ChannelLedger? {
        if let ledger = ledgers[channel] { return ledger }
        response.status = .notFound
        response.info = "this peer has not joined \(channel) (joined: \(channelNames.joined(separator: ", ")))"
        return nil
    }

    /// Creates the channel's ledger from block 0 and starts its gossip; joining a held channel resumes
    /// it (`resumeHeld`); joining again is a no-op.
    func joinChannel(genesis: Common_Block) throws -> String {
        guard let view = ChannelGenesis.view(in: genesis) else {
            throw PeerError.notAllowed("the block is not a genesis block with a channel configuration")
        }
        let config = ChannelGenesis.settings(of: view)
        let name = config.channelID
        if heldLedgers[name] != nil { return try resumeHeld(name, joinedWith: genesis) }
        if ledgers[name] != nil { return "already a member of \(name)" }
        let orgs = Set(config.applicationOrgs.map(\.mspID))
        guard orgs.contains(home.configuration.mspID) else {
            throw PeerError.notAllowed("\(home.configuration.mspID) is not a member of \(name) (members: \(orgs.sorted().joined(separator: ", ")))")
        }
        let directory = home.ledgerDirectory.appendingPathComponent(name)
        do {
            let (ledger, _) = try ChannelLedger.open(directory: directory, channel: name, durability: durability)
            if ledger.height == 0 {
                // A peer's ledger keeps its flags: block 0's configuration is VALID.
                var flagged = genesis
                BlockMetadataLayout.setTransactionsFilter([.valid], in: &flagged)
                try ledger.append(flagged)
            }
            serve(ledger, as: name, view: view)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        loggers.ledger.info("channel \(name): joined (members \(orgs.sorted().joined(separator: ", ")))")
        perform(core.join(channel: name, organizations: orgs, height: 1, now: now, random: &random))
        return "joined \(name)"
    }

    /// This peer's status (channels, heights, leadership, membership): the admin command
    /// `peerStatus`, and the operations route `/status` that `up` polls while it waits.
    func statusResponse() -> WireAdminResponse {
        var response = WireAdminResponse()
        response.status = .success
        response.channels = channelInfo()
        response.peerChannels = channelStatus()
        response.members = memberInfo()
        response.version = FabnetPeerVersion.current
        return response
    }

    func channelInfo() -> [WireChannelInfo] {
        channelNames.compactMap { name in
            guard let ledger = ledgers[name] else { return nil }
            var info = WireChannelInfo()
            info.name = name
            info.height = ledger.height
            info.currentHash = ledger.currentHash ?? Data()
            info.previousHash = ledger.previousHash ?? Data()
            return info
        }
    }

    func channelStatus() -> [WirePeerChannelStatus] {
        channelNames.map { name in
            var status = WirePeerChannelStatus()
            status.name = name
            status.height = ledgers[name]?.height ?? 0
            status.leader = core.elections[name]?.isLeader ?? false
            status.channelPeers = core.orgPeers(of: name).sorted().map { Data($0.bytes) }
            let heights = core.channelPeerHeights(name)
            status.gatewayOrgs = Set(core.membership.aliveMembers.filter { heights[$0.alive.pkiID] != nil }.map(\.alive.mspID))
                .union([home.configuration.mspID]).sorted()
            return status
        }
    }

    func memberInfo() -> [WireMemberInfo] {
        (core.membership.aliveMembers + core.membership.deadMembers).map { member in
            var info = WireMemberInfo()
            info.mspID = member.alive.mspID
            info.endpoint = (member.alive.internalEndpoint ?? member.alive.externalEndpoint)?.description ?? ""
            info.pkiID = Data(member.alive.pkiID.bytes)
            info.alive = member.isAlive
            return info
        }
    }
}

/// The version string the peer reports (set by the CLI at start).
public enum FabnetPeerVersion {
    nonisolated(unsafe) public static var current = "development"
}
