@testable import FabnetBench
import FabnetClient
import FabnetConfig
import FabnetCrypto
import FabnetModel
import FabnetTestKit
import FabnetWire
import FabricWire
import Foundation
import GossipCore
import NIOCore
import NIOPosix
import NIOSSL
import OperationsEndpoint
@testable import PeerNode
import Testing
@testable import Transport

/// A hostile insider against real peer processes: it holds a valid certificate of Org1 (peer1's,
/// stolen; peer1 itself is stopped) and sends peer0.org1 forged, replayed, misdirected and broken
/// gossip, bad frames and bad handshakes, and orders a transaction whose endorsement does not
/// match; clients from a foreign CA and without a certificate knock too. Each is refused and
/// counted, the gossip refusals are logged once per sender and reason, and the network keeps
/// serving: a new transaction commits everywhere and the running peers agree.
@Suite(.serialized)
struct HostilePeerTests {
    @Test func everyHostileMessageIsRefusedCountedLoggedOnceAndTheNetworkKeepsServing() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        try await network.up()
        let spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec
        let layout = CryptoLayout(root: network.crypto)
        let org1 = try #require(spec.organizations.first { $0.mspID == "Org1MSP" })
        let org2 = try #require(spec.organizations.first { $0.mspID == "Org2MSP" })
        let ordererOrg = try #require(spec.organizations.first { !$0.orderers.isEmpty })
        func credentials(_ node: NodeSpec, of org: OrganizationSpec, in layout: CryptoLayout) throws -> TransportCredentials {
            let home = layout.nodeDirectory(node, in: org)
            return try TransportCredentials.load(mspDirectory: home.appendingPathComponent("msp"), tlsDirectory: home.appendingPathComponent("tls"),
                                                 mspID: org.mspID, organizations: spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) })
        }
        let stolen = try credentials(org1.peers[1], of: org1, in: layout)
        let ordererKey = try #require(try LocalMSP.load(directory: layout.nodeDirectory(ordererOrg.orderers[0], in: ordererOrg).appendingPathComponent("msp"),
                                                        mspID: ordererOrg.mspID).signingIdentity)
        let manifest = try #require(network.manifest)
        let target = try #require(manifest.nodes.first { $0.name == "peer0.org1.example.com" })
        @Sendable func metric(_ name: String) async -> Double {
            let body = (try? await HTTPProbe.get(port: target.operationsPort, path: "/metrics").body) ?? ""
            return body.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        }
        @Sendable func log() -> String { (try? String(contentsOf: NetworkState(directory: network.state).logFile(of: target.name), encoding: .utf8)) ?? "" }

        // peer1.org1 stops; peer0.org1 sees it gone before the hostile speaks with its certificate.
        let known = "fabnet_gossip_membership_total_peers_known"
        try await eventually(seconds: 60, "peer0.org1 knowing the 3 other peers") { await metric(known) == 3 }
        #expect(try await network.cli(["stop", "peer1.org1"]).status == 0)
        try await eventually(seconds: 60, "peer0.org1 seeing peer1.org1 gone") { await metric(known) == 2 }

        // The hostile's gossip, each kind twice.
        let signer = stolen.signer
        let envelopes = SignedEnvelopes(signer: signer)
        let endpoint = Endpoint(host: "127.0.0.1", port: 1)
        let fresh = PeerTime(incarnation: UInt64(Date().timeIntervalSince1970 * 1e9), sequence: 1)
        func packet(_ message: GossipMessage, _ change: (inout WireGossipMessage) throws -> Void = { _ in }) throws -> WirePacket {
            var wire = try GossipWire.encode(message, envelopes: envelopes)
            try change(&wire)
            var packet = WirePacket()
            packet.gossipMessage = wire
            return packet
        }
        let alive = AliveMessage(pkiID: signer.pkiID, mspID: "Org1MSP", externalEndpoint: endpoint, internalEndpoint: endpoint, time: fresh)
        let forgedAlive = try packet(.membership(.alive([alive]))) { $0.alive.alive[0].signature = try ordererKey.sign($0.alive.alive[0].payload) }
        let mac = ChannelMAC(pkiID: signer.pkiID, channel: "mychannel")
        let info = StateInfo(pkiID: signer.pkiID, channelMAC: mac, height: 1, time: fresh)
        let forgedInfo = try packet(.channel(mac, .stateInfo(info))) { $0.channel.stateInfo.signature = try ordererKey.sign($0.channel.stateInfo.payload) }
        // A replay: an alive message as peer1.org1 signed it long ago (an old incarnation).
        let old = AliveMessage(pkiID: signer.pkiID, mspID: "Org1MSP", externalEndpoint: endpoint, internalEndpoint: endpoint,
                               time: PeerTime(incarnation: 1, sequence: 1))
        let replayed = try packet(.membership(.alive([old])))
        // Heights of a channel neither the hostile's org nor the peer is in.
        let elsewhere = ChannelMAC(pkiID: signer.pkiID, channel: "not-our-channel")
        let misdirected = try packet(.channel(elsewhere, .stateInfo(StateInfo(pkiID: signer.pkiID, channelMAC: elsewhere, height: 1, time: fresh))))
        // Blocks: the newest real one re-signed by the hostile, and one with data its header does not hash.
        let ordererNode = try #require(manifest.nodes.first { $0.role == "orderer" })
        let clients = NodeClients(spec: spec, layout: layout, manifest: manifest)
        let newest = try #require(try await clients.client(of: ordererNode, as: "Org1MSP", role: .client)
            .blocks(channel: "mychannel", start: .last, stop: .last).blocks.first)
        var resigned = newest
        resigned.header.number += 1
        try BlockSignatures.sign(&resigned, consenterMetadata: Data(), by: signer)
        var changedData = newest
        changedData.data.data.append(Data("not in the header's hash".utf8))
        let badBlocks = try [resigned, changedData].map { block in
            try packet(.channel(mac, .block(GossipBlock(number: block.header.number, data: try block.serializedBytes()), relay: [])))
        }

        let hostile = Transport(credentials: stolen)
        let ignored = "fabnet_gossip_ignored_total"
        let ignoredBefore = await metric(ignored)
        try await hostile.connect(port: target.port, serverHostname: "peer0.org1.example.com") { connection in
            for message in [forgedAlive, forgedAlive, forgedInfo, forgedInfo, replayed, replayed] + badBlocks + [misdirected, misdirected] {
                try await connection.send(message)
            }
            // The connection's packets are handled in order: the last two counted means all were handled.
            try await eventually(seconds: 30, "the misdirected state infos ignored") { await metric(ignored) >= ignoredBefore + 2 }
        }
        #expect(await metric("fabnet_gossip_refused_total") == 6, "2 forged alive messages, 2 forged state infos, 2 bad blocks")
        #expect(await metric(known) == 2, "a replayed alive message does not bring peer1.org1 back")
        let lines = log().split(separator: "\n")
        for reason in ["refused an alive message whose signature", "refused a state info whose signature", "refused a block whose orderer signature"] {
            let matching = lines.filter { $0.contains(reason) }
            #expect(matching.count == 1 && matching[0].contains("Org1MSP \(signer.pkiID)"), "\(reason): \(matching)")
        }
        // Once for the insider (peers that joined the channel before this one did may have sent
        // it channel messages too: each honest sender has its own line).
        #expect(lines.filter { $0.contains("for a channel this peer is not in, dropped") && $0.contains("\(signer.pkiID)") }.count == 1, "\(lines.suffix(20))")

        // Bad frames and bad handshakes: each connection is closed and counted by reason.
        for bytes in [[0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0, 0, 0, 3, 0xFF, 0xFF, 0xFF]] as [[UInt8]] {
            try? await hostile.connect(port: target.port, serverHostname: "peer0.org1.example.com") { connection in
                try await connection.outbound.write(ByteBuffer(bytes: bytes))
                for try await _ in connection.packets {}
            }
        }
        var bound = stolen
        bound.tlsCertificateHash = try credentials(org2.peers[0], of: org2, in: layout).tlsCertificateHash
        try? await Transport(credentials: bound).connect(port: target.port, serverHostname: "peer0.org1.example.com") { connection in
            for try await _ in connection.packets {}
        }
        let foreignRoot = network.root.appendingPathComponent("foreign-crypto")
        _ = try CryptoMaterialGenerator(output: foreignRoot).generate(spec)
        // A certificate of another CA with the same names, from a client that trusts the network's
        // CAs (so it is the node that refuses, not the client).
        let foreignHome = CryptoLayout(root: foreignRoot).nodeDirectory(org1.peers[1], in: org1)
        let foreign = try TransportCredentials.load(mspDirectory: foreignHome.appendingPathComponent("msp"), tlsDirectory: foreignHome.appendingPathComponent("tls"),
                                                    mspID: org1.mspID, organizations: spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) })
        try? await Transport(credentials: foreign).connect(port: target.port, serverHostname: "peer0.org1.example.com") { _ in }
        // No client certificate: the client waits for the server to end the connection.
        let tlsRoots = try spec.organizations.map { try NIOSSLCertificate.fromPEMFile(layout.tlsCADirectory($0).appendingPathComponent(layout.tlsCACertificateName($0)).path) }.flatMap { $0 }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(tlsRoots)
        tls.certificateVerification = .noHostnameVerification
        let context = try NIOSSLContext(configuration: tls)
        let anonymous = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: target.port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: nil))
                return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        try? await anonymous.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "hello"))
            for try await _ in inbound {}
        }
        try await eventually(seconds: 30, "the refused connections counted") {
            let frames = await metric(#"fabnet_connections_refused_total{reason="frame"}"#)
            let bindings = await metric(#"fabnet_connections_refused_total{reason="binding"}"#)
            let tls = await metric(#"fabnet_connections_refused_total{reason="tls"}"#)
            return frames == 2 && bindings == 1 && tls == 2
        }

        // A transaction whose endorsements do not match what it writes: ordered, then judged
        // invalid (ENDORSEMENT_POLICY_FAILURE) by every peer. `mycc` is defined with the channel's
        // MAJORITY Endorsement policy; its server need not run, nothing calls it.
        let deploy = try await network.cli(["chaincode", "deploy", "mycc", "--address", "127.0.0.1:9", "-c", "mychannel"])
        #expect(deploy.status == 0, "\(deploy.output) \(deploy.errors)")
        let org1Peer = try #require(manifest.nodes.first { $0.name == "peer0.org1.example.com" })
        let client = try clients.credentials(of: "Org1MSP", role: .client).signer
        let roots = try GatewayConnection.peerTLSRoots(clients)
        let proposal = try ProposalBuilder.make(channel: "mychannel", chaincode: "fabnet",
                                                arguments: [Data("put".utf8), Data("hostile".utf8), Data("x".utf8)], creator: client)
        let code = try await GatewayConnection.with(port: try #require(org1Peer.grpcPort), trustRootsPEM: roots) { gateway in
            let endorsed = try await gateway.endorse(.with {
                $0.transactionID = proposal.txID
                $0.channelID = "mychannel"
                $0.proposedTransaction = proposal.signed
            })
            var payload = try Common_Payload(serializedBytes: endorsed.preparedTransaction.payload)
            var transaction = try Protos_Transaction(serializedBytes: payload.data)
            var action = try Protos_ChaincodeActionPayload(serializedBytes: transaction.actions[0].payload)
            // What was endorsed (a write to `fabnet`) becomes a write to `mycc`: the endorsers'
            // signatures no longer cover the payload they sit beside.
            var response = try Protos_ProposalResponsePayload(serializedBytes: action.action.proposalResponsePayload)
            var result = try Protos_ChaincodeAction(serializedBytes: response.extension)
            var rwset = try Rwset_TxReadWriteSet(serializedBytes: result.results)
            for index in rwset.nsRwset.indices where rwset.nsRwset[index].namespace == "fabnet" { rwset.nsRwset[index].namespace = "mycc" }
            result.results = try rwset.serializedBytes()
            response.extension = try result.serializedBytes()
            action.action.proposalResponsePayload = try response.serializedBytes()
            transaction.actions[0].payload = try action.serializedBytes()
            payload.data = try transaction.serializedBytes()
            var envelope = Common_Envelope()
            envelope.payload = try payload.serializedBytes()
            envelope.signature = try client.sign(envelope.payload)
            _ = try await gateway.submit(.with {
                $0.transactionID = proposal.txID
                $0.channelID = "mychannel"
                $0.preparedTransaction = envelope
            })
            let request: Data = try Gateway_CommitStatusRequest.with {
                $0.transactionID = proposal.txID
                $0.channelID = "mychannel"
                $0.identity = try client.serialized.serializedBytes()
            }.serializedBytes()
            return try await gateway.commitStatus(.with {
                $0.request = request
                $0.signature = try client.sign(request)
            }).result
        }
        #expect(code == .endorsementPolicyFailure)
        for peer in manifest.nodes where peer.role == "peer" && peer.name != "peer1.org1.example.com" {
            let body = try await HTTPProbe.get(port: peer.operationsPort, path: "/metrics").body
            #expect(body.contains(#"validation_code="ENDORSEMENT_POLICY_FAILURE"} 1"#), "\(peer.name)")
        }

        // Still serving: a transaction commits on every running peer, and they agree.
        #expect(try await network.cli(["tx", "put", "after", "the-attack", "-c", "mychannel", "--wait"]).status == 0)
        let check = try await network.cli(["check", "--timeout", "60"])
        #expect(check.status == 0, "\(check.output) \(check.errors)")
        #expect(try await HTTPProbe.get(port: target.operationsPort, path: "/healthz").status == 200)
    }
}
