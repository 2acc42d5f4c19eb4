import FabnetClient
import FabnetConfig
import FabnetCrypto
import FabnetModel
import FabnetWire
import FabricWire
import Foundation
import GossipCore
import Ledger
import NIOCore
import OperationsEndpoint

/// A fixed, in-process workload of a follower's block path, for instruction counts (callgrind):
/// `blocks` orderer-signed blocks, each pushed as a gossip frame by an org mate, go through the
/// follower's own code (frame decode → verification → core → ledger append) with no sockets.
///
/// Guarantees: the setup (crypto material, signed blocks, frames) runs whether `blocks` is 0 or
/// not, so the difference of two runs is the follower path alone; `run` fails unless every block
/// is committed, so a broken path cannot look fast.
public enum FollowerPathBench {
    /// What a run did: blocks committed and the bytes of their frames.
    public struct Result: Sendable {
        public let committed: UInt64
        public let frameBytes: Int
        /// CPU time of the process (all threads) during the follower path alone, in seconds.
        public let pathCPUSeconds: Double
    }

    /// CPU time of the process so far (all threads), in seconds.
    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Makes material and `blocks` blocks of `transactions` transactions in `directory` (a fresh
    /// folder), then pushes the first `pushing` of them (all by default) through a follower: two
    /// runs with the same `blocks` and different `pushing` differ by the path alone.
    public static func run(blocks: Int, pushing: Int? = nil, transactions: Int, directory: URL) async throws -> Result {
        let pushing = min(pushing ?? blocks, blocks)
        let spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec
        let cryptoRoot = directory.appendingPathComponent("crypto")
        try CryptoMaterialGenerator(output: cryptoRoot).generate(spec)
        let layout = CryptoLayout(root: cryptoRoot)
        guard let org = spec.organizations.first(where: { $0.peers.count >= 2 }),
              let ordererOrg = spec.organizations.first(where: { !$0.orderers.isEmpty }) else {
            throw PeerError.configuration("the default network has no org with two peers and no orderer")
        }
        let channel = "bench"
        let configuration = PeerHome.Configuration(
            mspID: org.mspID, name: org.peers[0].commonName, listenHost: "127.0.0.1", port: 1, operationsPort: 2,
            endpoint: "\(org.peers[0].commonName):1", externalEndpoint: true, bootstrap: [], anchors: [:],
            organizations: spec.organizations.map(\.mspID), ordererOrganizations: [ordererOrg.mspID],
            orderer: "orderer:3", channels: [channel: [org.mspID]], durability: "buffered", maximumFrameSize: 100 << 20)
        let home = try PeerHome.create(at: directory.appendingPathComponent("peer"), configuration: configuration,
                                       nodeDirectory: layout.nodeDirectory(org.peers[0], in: org),
                                       organizationMSPs: spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) })
        let mate = try signer(layout.nodeDirectory(org.peers[1], in: org), mspID: org.mspID)
        let orderer = try signer(layout.nodeDirectory(ordererOrg.orderers[0], in: ordererOrg), mspID: ordererOrg.mspID)
        // Joined: block 0, the channel's configuration, is in the ledger (as `channel join` leaves it).
        guard var channelSpec = spec.channels.first else { throw PeerError.configuration("the default network has no channel") }
        channelSpec.name = channel
        var genesis = try ChannelGenesis.block(of: channelSpec, in: spec, layout: layout, creator: orderer)
        BlockMetadataLayout.setTransactionsFilter([.valid], in: &genesis)
        let (ledger, _) = try ChannelLedger.open(directory: home.ledgerDirectory.appendingPathComponent(channel), channel: channel, durability: .osBuffered)
        try ledger.append(genesis)
        let service = try await PeerService(home: home, logging: NodeLogger(name: configuration.name, spec: "error"))

        // The frames an org mate pushes (made before the measured part, the same in every build).
        let mac = ChannelMAC(pkiID: mate.pkiID, channel: channel)
        var frames: [ByteBuffer] = []
        var previous = BlockHeaderBytes.hash(genesis.header)
        for number in UInt64(1)..<UInt64(blocks + 1) {  // none for --blocks 0
            var block = Common_Block()
            block.header.number = number
            block.header.previousHash = previous
            block.data.data = try (0..<transactions).map { index in
                try TransactionBuilder.make(channel: channel, writes: [("key\(number)-\(index)", Data(repeating: UInt8(index), count: 256))],
                                            creator: mate).envelope.serializedBytes()
            }
            block.header.dataHash = BlockDataRules.dataHash(block.data.data)
            block.metadata = BlockMetadataLayout.empty
            try BlockSignatures.sign(&block, consenterMetadata: Data(), by: orderer)
            previous = BlockHeaderBytes.hash(block.header)
            var packet = WirePacket()
            packet.gossipMessage.channel.mac = Data(mac.bytes)
            packet.gossipMessage.channel.block.seqNum = number
            packet.gossipMessage.channel.block.data = try block.serializedBytes()
            frames.append(try packet.frameBuffer())
        }
        let proof = try mate.sign(Data("bench".utf8))
        let sender = try await service.identities.verify(signature: proof, over: Data("bench".utf8), by: mate.serialized)

        let started = processCPUSeconds()
        let committed = await service.benchReceive(Array(frames.prefix(pushing)), from: sender, channel: channel) - 1
        let pathCPUSeconds = processCPUSeconds() - started
        guard committed == UInt64(pushing) else {
            throw PeerError.configuration("the follower committed \(committed) of \(pushing) blocks")
        }
        return Result(committed: committed, frameBytes: frames.prefix(pushing).reduce(0) { $0 + $1.readableBytes }, pathCPUSeconds: pathCPUSeconds)
    }

    static func signer(_ nodeDirectory: URL, mspID: String) throws -> SigningIdentity {
        guard let identity = try LocalMSP.load(directory: nodeDirectory.appendingPathComponent("msp"), mspID: mspID).signingIdentity else {
            throw PeerError.configuration("\(nodeDirectory.path) has no signing identity")
        }
        return identity
    }
}

extension PeerService {
    /// Hands `frames` in as a connection from `sender` would (decode, then the gossip path);
    /// returns the channel's confirmed height.
    func benchReceive(_ frames: [ByteBuffer], from sender: VerifiedSigner, channel: String) async -> UInt64 {
        for frame in frames {
            guard let packet = try? WirePacket(frame: frame), case .gossipMessage(let wire)? = packet.body else { continue }
            await received(wire, from: sender, frameSize: frame.readableBytes, via: nil)
        }
        return core.height(of: channel) ?? 0
    }
}
