import CoreMetrics
import FabnetClient
import FabnetConfig
import FabnetCrypto
@_spi(Verification) import FabnetModel
import FabnetWire
import FabricWire
import SwiftProtobuf
import Foundation
import GossipCore
import Ledger
import OperationsEndpoint
import Synchronization
@testable import PeerNode

/// peer0.org1 of the default network, in a scratch folder, as a `PeerService` on fakes: an
/// in-memory transport, a fake orderer, a manual clock and a seeded generator. Its home is
/// written as `fabnet up` writes one (bootstrap peer1.org1, the anchors of both orgs), it has
/// joined `mychannel` (block 0 in its ledger), and the test holds the orderer's identity to
/// sign blocks with.
struct PeerFixture {
    let root: URL
    let spec: NetworkSpec
    let layout: CryptoLayout
    let home: PeerHome
    let clock = ManualClock()
    let transport = InMemoryTransport()
    let orderer = FakeOrderer()
    let registry = NodeMetrics()
    /// Every log line the service wrote.
    let lines = CapturedLines()
    let service: PeerService
    let genesis: Common_Block

    static let channel = "mychannel"
    static let bootstrap = Endpoint(host: "peer1.org1.example.com", port: 7053)!
    static let org2Anchor = Endpoint(host: "peer0.org2.example.com", port: 9051)!
    static let endpoint = Endpoint(host: "peer0.org1.example.com", port: 7051)!

    /// `staticLeader`: the peer leads its org from the start (`peer.gossip.orgLeader`), so it
    /// pulls from the orderer at once; otherwise it is elected as Fabric's defaults say.
    /// `holdChannels`: started as `fabnet up` starts a restarted network's peers (`--hold-channels`).
    init(staticLeader: Bool = false, holdChannels: Duration? = nil, name: String = #function) async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-peer-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))")
        spec = try NetworkLoader.load(text: DefaultNetwork.configtx, file: "test.yaml", directory: root).spec
        layout = CryptoLayout(root: root.appendingPathComponent("crypto"))
        _ = try CryptoMaterialGenerator(output: layout.root).generate(spec)
        let org1 = spec.organizations[1]
        let configuration = PeerHome.Configuration(
            mspID: org1.mspID, name: org1.peers[0].commonName, listenHost: "127.0.0.1", port: 7051, operationsPort: 7052,
            endpoint: Self.endpoint.description, externalEndpoint: true, bootstrap: [Self.bootstrap.description],
            anchors: ["Org1MSP": [Self.endpoint.description], "Org2MSP": [Self.org2Anchor.description]],
            organizations: spec.organizations.map(\.mspID), ordererOrganizations: ["OrdererMSP"],
            orderer: "orderer.example.com:7050", channels: [Self.channel: ["Org1MSP", "Org2MSP"]], durability: "buffered",
            maximumFrameSize: 100 << 20)
        let layout = layout
        home = try PeerHome.create(at: root.appendingPathComponent("peer0"), configuration: configuration,
                                   nodeDirectory: layout.nodeDirectory(org1.peers[0], in: org1),
                                   organizationMSPs: spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) })
        if staticLeader {
            try "peer:\n  gossip:\n    useLeaderElection: false\n    orgLeader: true\n".write(to: home.coreYAML, atomically: true, encoding: .utf8)
        }
        // Joined: block 0 in the channel's ledger, as a restart finds it.
        genesis = try ChannelGenesis.block(of: spec.channels[0], in: spec, layout: layout, creator: try Self.identity(spec, layout, org: 1, user: 0))
        let (ledger, _) = try ChannelLedger.open(directory: home.ledgerDirectory.appendingPathComponent(Self.channel), channel: Self.channel)
        var flagged = genesis
        BlockMetadataLayout.setTransactionsFilter([.valid], in: &flagged)
        try ledger.append(flagged)
        let lines = lines
        let logging = NodeLogger(name: configuration.name, spec: "info", sink: ClosureSink { lines.append($0) })
        let seams = PeerSeams(tasks: ChildTasks(clock: clock), transport: transport, blockSource: orderer, random: SeededGenerator(seed: 14))
        service = try await PeerService(home: home, logging: logging, metrics: registry, seams: seams, holdChannels: holdChannels)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    static func identity(_ spec: NetworkSpec, _ layout: CryptoLayout, org: Int, user: Int) throws -> SigningIdentity {
        let org = spec.organizations[org]
        return try LocalMSP.load(directory: layout.userDirectory(org.users[user], in: org).appendingPathComponent("msp"), mspID: org.mspID).signingIdentity!
    }

    func nodeIdentity(org: Int, peer: Int? = nil) throws -> SigningIdentity {
        let org = spec.organizations[org]
        let node = peer.map { org.peers[$0] } ?? org.orderers[0]
        return try LocalMSP.load(directory: layout.nodeDirectory(node, in: org).appendingPathComponent("msp"), mspID: org.mspID).signingIdentity!
    }

    /// Block `number` after `previous`, with one transaction (writing `key<number>` unless
    /// `writes` are given), signed by `signer` (the orderer unless given).
    func block(after previous: Common_Block, signer: SigningIdentity? = nil, writes: [(String, Data)]? = nil) throws -> Common_Block {
        let number = previous.header.number + 1
        let (envelope, _) = try TransactionBuilder.make(channel: Self.channel, writes: writes ?? [("key\(number)", Data("value\(number)".utf8))],
                                                        creator: try Self.identity(spec, layout, org: 1, user: 1))
        var block = Common_Block()
        block.header.number = number
        block.header.previousHash = BlockHeaderBytes.hash(previous.header)
        block.data.data = [try envelope.serializedBytes()]
        block.header.dataHash = BlockDataRules.dataHash(block.data.data)
        block.metadata = BlockMetadataLayout.empty
        try BlockSignatures.sign(&block, consenterMetadata: try Google_Protobuf_Timestamp(date: Date()).serializedBytes(), by: try signer ?? nodeIdentity(org: 0))
        return block
    }

    /// A codec speaking as peer `peer` of org1, to make what that peer would send (signed by it).
    func codec(asPeer peer: Int) throws -> (codec: GossipCodec, signer: SigningIdentity) {
        let signer = try nodeIdentity(org: 1, peer: peer)
        let scratch = NodeMetrics()
        let codec = GossipCodec(signer: signer, identities: ValidatedIdentityCache(validator: try home.credentials().validator),
                                ordererOrganizations: ["OrdererMSP"], duplicates: scratch.counter("d"), refused: scratch.counter("r"))
        return (codec, signer)
    }

    /// The value of the series `name` (with its labels, as `/metrics` writes them), if present.
    func metric(_ series: String) async -> Double? {
        let text = await service.metricsText()
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    var logLines: [String] { lines.all }
}

/// Runs the fixture's service until the body returns, then cancels it and waits for `run()` to end.
func running<T>(_ fixture: PeerFixture, _ body: () async throws -> T) async throws -> T {
    let service = fixture.service
    let task = Task { await service.run() }
    do {
        let result = try await body()
        task.cancel()
        await task.value
        return result
    } catch {
        task.cancel()
        await task.value
        throw error
    }
}

/// Log lines as a sink received them, in order.
final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// Waits (in real time, up to `limit`) until `condition` holds: the service works on its own
/// tasks, so what a test caused shows up a little later. A poll with a deadline, not a sleep
/// that hopes.
func eventually(_ what: String, within limit: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
    let end = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < end else { throw FakeError("timed out after \(limit) waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(2))  // a poll interval
    }
}

/// Makes a readable file's open descriptors in this process read-only under their owner (`dup2`
/// of a read-only descriptor over each), so the next write through them fails with EBADF, as a
/// failing disk would; reads still work. Linux (`/proc/self/fd`).
func makeWritesFail(to file: URL) throws {
    let target = file.resolvingSymlinksInPath().path
    let readOnly = open(target, O_RDONLY | O_CLOEXEC)
    guard readOnly >= 0 else { throw FakeError("cannot open \(target) read-only: errno \(errno)") }
    defer { close(readOnly) }
    var replaced = 0
    for name in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
        guard let descriptor = Int32(name), descriptor != readOnly,
              let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)"), link == target else { continue }
        guard dup2(readOnly, descriptor) == descriptor else { throw FakeError("dup2 over descriptor \(descriptor) of \(target) failed: errno \(errno)") }
        replaced += 1
    }
    guard replaced > 0 else { throw FakeError("no descriptor of \(target) is open in this process") }
}
