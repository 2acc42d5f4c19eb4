import FabnetConfig
import FabnetClient
import FabnetCrypto
@_spi(Verification) import FabnetModel
import FabnetTestKit
import FabnetWire
import FabricWire
import Foundation
import Ledger
import OperationsEndpoint
import Testing
@testable import OrdererNode

/// A network (default shape, chosen batch settings) with its crypto material in a scratch folder.
struct OrdererFixture {
    let root: URL
    let spec: NetworkSpec
    let layout: CryptoLayout
    /// The channels' timers, run as the orderer service's `run()` would, until `remove()`.
    let timers = ChildTasks()

    init(maxMessageCount: Int = 10, batchTimeout: String = "1h", name: String = #function) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-orderer-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))")
        let text = DefaultNetwork.configtx
            .replacingOccurrences(of: "MaxMessageCount: 500", with: "MaxMessageCount: \(maxMessageCount)")
            .replacingOccurrences(of: "BatchTimeout: 250ms", with: "BatchTimeout: \(batchTimeout)")
        spec = try NetworkLoader.load(text: text, file: "test.yaml", directory: root).spec
        layout = CryptoLayout(root: root.appendingPathComponent("crypto"))
        _ = try CryptoMaterialGenerator(output: layout.root).generate(spec)
        let timers = timers
        Task { await timers.run() }
    }

    func remove() {
        timers.finish()
        try? FileManager.default.removeItem(at: root)
    }

    func identity(org: Int, user: Int) throws -> SigningIdentity {
        let org = spec.organizations[org]
        return try LocalMSP.load(directory: layout.userDirectory(org.users[user], in: org).appendingPathComponent("msp"), mspID: org.mspID).signingIdentity!
    }

    func peerIdentity(org: Int, peer: Int) throws -> SigningIdentity {
        let org = spec.organizations[org]
        return try LocalMSP.load(directory: layout.nodeDirectory(org.peers[peer], in: org).appendingPathComponent("msp"), mspID: org.mspID).signingIdentity!
    }

    var ordererIdentity: SigningIdentity {
        get throws {
            let org = spec.organizations[0]
            return try LocalMSP.load(directory: layout.nodeDirectory(org.orderers[0], in: org).appendingPathComponent("msp"), mspID: org.mspID).signingIdentity!
        }
    }

    func genesis() throws -> Common_Block {
        try ChannelGenesis.block(of: spec.channels[0], in: spec, layout: layout, creator: try identity(org: 0, user: 0))
    }

    func openChannel() async throws -> OrdererChannel {
        try await OrdererChannel(directory: root.appendingPathComponent("ledger/mychannel"), genesis: try genesis(), signer: try ordererIdentity, timers: timers)
    }
}

@Suite struct OrdererChannelTests {
    @Test func transactionsAreCutIntoSignedBlocksInOrder() async throws {
        // The timeout must outlast ten broadcasts on a loaded machine (at 100 ms, a run beside
        // three builds cut a block of 2), so the first two blocks are cut by count alone.
        let fixture = try OrdererFixture(maxMessageCount: 10, batchTimeout: "2s")
        defer { fixture.remove() }
        let channel = try await fixture.openChannel()
        let client = try fixture.identity(org: 1, user: 1)
        var ids: [String] = []
        for index in 0..<25 {
            let (envelope, id) = try TransactionBuilder.make(channel: "mychannel", writes: [("k\(index)", Data("v".utf8))], creator: client)
            let response = await channel.broadcast(envelope)
            #expect(response.status == .success, "\(response.info)")
            ids.append(id)
        }
        // Two blocks by count; the last five wait for the batch timeout (a deadline, not a sleep).
        try await withDeadline(seconds: 10, "block 3") { await channel.waitForBlock(3) }
        #expect(await channel.height == 4)
        var ordered: [String] = []
        let validator = channel.membershipValidator
        for number: UInt64 in 1...3 {
            let block = try #require(try await channel.block(number))
            #expect(block.data.data.count == (number == 3 ? 5 : 10))
            #expect(BlockDataRules.dataHash(block.data.data) == block.header.dataHash)
            #expect(BlockMetadataLayout.cutTime(of: block) != nil)
            let signer = try await BlockSignatures.verify(block, validator: validator, ordererOrgs: ["OrdererMSP"])
            #expect(signer.role == .orderer)
            ordered += block.transactionIDs
        }
        #expect(ordered == ids)
        // Everything is in blocks, so the pending log is empty again.
        let log = fixture.root.appendingPathComponent("ledger/mychannel/pending.log")
        #expect(try FileManager.default.attributesOfItem(atPath: log.path)[.size] as? Int == 0)
    }

    @Test func writersOnlyAndEveryCheckHasAReason() async throws {
        let fixture = try OrdererFixture()
        defer { fixture.remove() }
        let channel = try await fixture.openChannel()
        let peer = try fixture.peerIdentity(org: 1, peer: 0)
        let asPeer = try TransactionBuilder.make(channel: "mychannel", writes: [("k", Data())], creator: peer).envelope
        let refused = await channel.broadcast(asPeer)
        #expect(refused.status == .forbidden)
        #expect(refused.info.contains("not a writer of mychannel"))
        #expect(refused.info.contains("ANY Writers"), "\(refused.info)")

        let foreign = try OrdererFixture(name: "foreign")
        defer { foreign.remove() }
        let stranger = try TransactionBuilder.make(channel: "mychannel", writes: [("k", Data())], creator: try foreign.identity(org: 1, user: 1)).envelope
        let untrusted = await channel.broadcast(stranger)
        #expect(untrusted.status == .forbidden)
        #expect(untrusted.info.contains("not issued by a CA of Org1MSP"))

        let member = try fixture.identity(org: 1, user: 1)
        var renamed = member.serialized
        renamed.mspID = "Org9MSP"
        var unknown = WireEnvelope()
        unknown.payload = try UnendorsedTransaction.payload(
            channel: "mychannel", namespace: "fabnet", arguments: [], writes: [("k", Data())], creator: try renamed.serializedBytes(),
            nonce: Data([1]), timestamp: Date()).payload
        unknown.signature = try member.sign(unknown.payload)
        let unknownOrg = await channel.broadcast(unknown)
        #expect(unknownOrg.status == .forbidden)
        #expect(unknownOrg.info.contains("Org9MSP is not an organization of this channel"))

        // /Channel/Writers is ANY Writers of the application and orderer groups; the orderer org's
        // Writers is OR('OrdererMSP.member'), so its admin may write, as in Fabric.
        let ordererAdmin = try TransactionBuilder.make(channel: "mychannel", writes: [("k", Data())], creator: try fixture.identity(org: 0, user: 0)).envelope
        #expect(await channel.broadcast(ordererAdmin).status == .success)

        let client = try fixture.identity(org: 2, user: 1)
        var tampered = try TransactionBuilder.make(channel: "mychannel", writes: [("k", Data())], creator: client).envelope
        tampered.signature = try client.sign(Data("something else".utf8))
        #expect(await channel.broadcast(tampered).status == .forbidden)

        let wrongChannel = try TransactionBuilder.make(channel: "other", writes: [("k", Data())], creator: client).envelope
        #expect(await channel.broadcast(wrongChannel).info.contains("not mychannel"))

        // As Fabric's orderer: a resent envelope is ordered again (peers flag it DUPLICATE_TXID).
        let (once, _) = try TransactionBuilder.make(channel: "mychannel", writes: [("k", Data())], creator: client)
        #expect(await channel.broadcast(once).status == .success)
        #expect(await channel.broadcast(once).status == .success)

        var garbage = WireEnvelope()
        garbage.payload = Data([0xFF, 0xFF])
        garbage.signature = Data([1])
        let undecodable = await channel.broadcast(garbage)
        #expect(undecodable.status == .badRequest)
        #expect(undecodable.info.contains("bad envelope"))

        let big = try TransactionBuilder.make(channel: "mychannel", writes: [("k", Data(count: 11 << 20))], creator: client).envelope
        #expect(await channel.broadcast(big).status == .requestEntityTooLarge)
    }

    @Test func readersAreTheChannelsOrgs() async throws {
        let fixture = try OrdererFixture()
        defer { fixture.remove() }
        let channel = try await fixture.openChannel()
        let pki = PKIID([1])
        #expect(channel.mayRead(VerifiedSigner(mspID: "Org1MSP", role: .client, pkiID: pki)))
        #expect(channel.mayRead(VerifiedSigner(mspID: "OrdererMSP", role: .orderer, pkiID: pki)))
        #expect(!channel.mayRead(VerifiedSigner(mspID: "Org9MSP", role: .client, pkiID: pki)))
    }

    @Test func acknowledgedTransactionsSurviveARestartOnce() async throws {
        let fixture = try OrdererFixture(maxMessageCount: 4, batchTimeout: "1h")
        defer { fixture.remove() }
        let client = try fixture.identity(org: 1, user: 1)
        var ids: [String] = []
        do {
            let channel = try await fixture.openChannel()
            for index in 0..<3 {
                let (envelope, id) = try TransactionBuilder.make(channel: "mychannel", writes: [("k\(index)", Data("v".utf8))], creator: client)
                #expect(await channel.broadcast(envelope).status == .success)
                ids.append(id)
            }
            #expect(await channel.height == 1)  // all three acknowledged, none cut yet
        }
        // A new instance on the same folder, as after a crash: the three are pending again.
        let channel = try await fixture.openChannel()
        let (fourth, id) = try TransactionBuilder.make(channel: "mychannel", writes: [("k3", Data("v".utf8))], creator: client)
        #expect(await channel.broadcast(fourth).status == .success)
        ids.append(id)
        try await withDeadline(seconds: 10, "block 1") { await channel.waitForBlock(1) }
        let block = try #require(try await channel.block(1))
        #expect(block.transactionIDs == ids)
    }

    @Test func aCrashBetweenCutAndCompactionReplaysOnlyWhatIsNotInABlock() async throws {
        let fixture = try OrdererFixture(maxMessageCount: 2, batchTimeout: "1h")
        defer { fixture.remove() }
        let client = try fixture.identity(org: 1, user: 1)
        let made = try (0..<3).map { try TransactionBuilder.make(channel: "mychannel", writes: [("k\($0)", Data("v".utf8))], creator: client) }
        do {
            let channel = try await fixture.openChannel()
            for (envelope, _) in made.prefix(2) { #expect(await channel.broadcast(envelope).status == .success) }
            #expect(await channel.height == 2)
        }
        // As if the process died after storing block 1 and before emptying the log: the log
        // still holds block 1's two transactions, then one acknowledged after them.
        let log = try BlockFile(path: fixture.root.appendingPathComponent("ledger/mychannel/pending.log").path, durability: .osBuffered)
        let block1 = try #require(try await fixture.openChannel().block(1))
        for entry in block1.data.data { _ = try log.append([UInt8](entry)) }
        var third = Common_Envelope()
        third.payload = made[2].envelope.payload
        third.signature = made[2].envelope.signature
        _ = try log.append(try third.serializedBytes())

        let channel = try await fixture.openChannel()
        let (fourth, fourthID) = try TransactionBuilder.make(channel: "mychannel", writes: [("k3", Data("v".utf8))], creator: client)
        #expect(await channel.broadcast(fourth).status == .success)
        try await withDeadline(seconds: 10, "block 2") { await channel.waitForBlock(2) }
        #expect(try #require(try await channel.block(2)).transactionIDs == [made[2].txID, fourthID])
    }
}
