import FabnetConfig
import FabnetCrypto
import FabnetModel
import FabnetWire
import FabricWire
import FabnetClient
import Foundation
import GossipCore
import Ledger
import TxValidation
import OperationsEndpoint
import Testing
import Transport
@testable import PeerNode

/// Identities of the default network, made once in a temporary folder: org1's peer0 (the
/// verifying peer) and peer1 (its mate), and the orderer.
enum SignedEnvelopesFixture {
    struct Material: Sendable {
        let mate: SigningIdentity
        let orderer: SigningIdentity
        let ordererMSP: String
        let credentials: TransportCredentials
    }

    static let material: Material = {
        do {
            let spec = try NetworkLoader.load(file: nil).spec
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-codec-tests-\(getpid())")
            try? FileManager.default.removeItem(at: root)
            _ = try CryptoMaterialGenerator(output: root).generate(spec)
            let layout = CryptoLayout(root: root)
            let org = spec.organizations.first { $0.peers.count >= 2 }!
            let ordererOrg = spec.organizations.first { !$0.orderers.isEmpty }!
            func signer(_ node: NodeSpec, _ org: OrganizationSpec) throws -> SigningIdentity {
                try LocalMSP.load(directory: layout.nodeDirectory(node, in: org).appendingPathComponent("msp"), mspID: org.mspID).signingIdentity!
            }
            let peer = layout.nodeDirectory(org.peers[0], in: org)
            let credentials = try TransportCredentials.load(
                mspDirectory: peer.appendingPathComponent("msp"), tlsDirectory: peer.appendingPathComponent("tls"), mspID: org.mspID,
                organizations: spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) })
            let material = Material(mate: try signer(org.peers[1], org), orderer: try signer(ordererOrg.orderers[0], ordererOrg),
                                    ordererMSP: ordererOrg.mspID, credentials: credentials)
            // Everything is loaded: the folder is not left behind in the temporary directory.
            try? FileManager.default.removeItem(at: root)
            return material
        } catch {
            fatalError("cannot make the test identities: \(error)")
        }
    }()

    static func envelopes() -> SignedEnvelopes { SignedEnvelopes(signer: material.credentials.signer) }

    /// A verifier and the metrics its counters are in.
    static func verifier() -> (GossipVerifier, NodeMetrics) {
        let metrics = NodeMetrics()
        let verifier = GossipVerifier(identities: ValidatedIdentityCache(validator: material.credentials.validator),
                                      ordererOrganizations: [material.ordererMSP], refused: metrics.counter("refused"),
                                      repeatedBlocks: metrics.counter("repeated"))
        return (verifier, metrics)
    }

    /// Block `number` on top of `previous`, signed by the orderer.
    static func block(_ number: UInt64, previous: Data = Data(), entries: [Data]? = nil) throws -> Common_Block {
        var block = Common_Block()
        block.header.number = number
        block.header.previousHash = previous
        block.data.data = try entries ?? [TransactionBuilder.make(channel: "c", writes: [("k\(number)", Data("v".utf8))], creator: material.mate)
            .envelope.serializedBytes()]
        block.header.dataHash = BlockDataRules.dataHash(block.data.data)
        block.metadata = BlockMetadataLayout.empty
        try BlockSignatures.sign(&block, consenterMetadata: Data(), by: material.orderer)
        return block
    }
}

/// `GossipVerifier` and `SignedEnvelopes` with real signatures: what passes carries its signed
/// form, what fails is refused and counted, and what the mate signed is relayed as it signed it.
@Suite struct GossipVerifierTests {
    typealias Fixture = SignedEnvelopesFixture

    static func count(_ name: String, in metrics: NodeMetrics) -> String? {
        metrics.exposition().split(separator: "\n").first { $0.hasPrefix("\(name) ") }.map { String($0.dropFirst(name.count + 1)) }
    }

    func mateAlive(sequence: UInt64 = 1) -> AliveMessage {
        AliveMessage(pkiID: Fixture.material.mate.pkiID, mspID: Fixture.material.mate.mspID,
                     externalEndpoint: Endpoint(host: "peer1.org1.example.com", port: 7051),
                     internalEndpoint: Endpoint(host: "peer1.org1.example.com", port: 7051), time: PeerTime(incarnation: 1, sequence: sequence))
    }

    @Test func anAliveMessageSignedByItsCreatorPassesCarryingItsEnvelopeAndIsRelayedAsSigned() async throws {
        let mate = SignedEnvelopes(signer: Fixture.material.mate)
        let envelope = try mate.envelope(of: mateAlive())
        let (verifier, metrics) = Fixture.verifier()
        let received = try #require(await verifier.alive(envelope))
        #expect(received == mateAlive())
        #expect(received.signed.bytes == (try envelope.serializedBytes() as [UInt8]))
        // This peer relays the mate's own signature, with or without the secret part.
        let relay = Fixture.envelopes()
        #expect(try relay.envelope(of: received) == envelope)
        let stripped = try relay.envelope(of: received.withoutInternalEndpoint)
        #expect(!stripped.hasSecretEnvelope && stripped.signature == envelope.signature)
        #expect(await verifier.alive(stripped) == mateAlive().withoutInternalEndpoint)
        #expect(Self.count("refused", in: metrics) == "0")
    }

    @Test func aForgedAliveMessageOrStateInfoIsRefusedAndCounted() async throws {
        let mate = SignedEnvelopes(signer: Fixture.material.mate)
        var forged = try mate.envelope(of: mateAlive())
        var payload = try WireAliveMessage(serializedBytes: forged.payload)
        payload.timestamp.seqNum = 99
        forged.payload = try payload.serializedBytes()
        let (verifier, metrics) = Fixture.verifier()
        #expect(await verifier.alive(forged) == nil)
        let info = StateInfo(pkiID: Fixture.material.mate.pkiID, channelMAC: ChannelMAC(pkiID: Fixture.material.mate.pkiID, channel: "c"),
                             height: 3, time: PeerTime(incarnation: 1, sequence: 1))
        var forgedInfo = try mate.envelope(of: info)
        forgedInfo.signature = try Fixture.material.orderer.sign(forgedInfo.payload)
        #expect(await verifier.stateInfo(forgedInfo) == nil)
        #expect(await verifier.stateInfo(try mate.envelope(of: info)) == info)
        #expect(Self.count("refused", in: metrics) == "2")
    }

    /// The secret part's signature is checked only when it names another endpoint than the
    /// signed external one: a forged secret naming a new endpoint is refused, while one that
    /// repeats the signed endpoint carries nothing unsigned and passes.
    @Test func aSecretPartIsCheckedWhenItNamesAnotherEndpoint() async throws {
        let mate = SignedEnvelopes(signer: Fixture.material.mate)
        let elsewhere = AliveMessage(pkiID: Fixture.material.mate.pkiID, mspID: Fixture.material.mate.mspID,
                                     externalEndpoint: Endpoint(host: "peer1.org1.example.com", port: 7051),
                                     internalEndpoint: Endpoint(host: "10.0.0.7", port: 7051), time: PeerTime(incarnation: 1, sequence: 1))
        var forged = try mate.envelope(of: elsewhere)
        forged.secretEnvelope.signature = try Fixture.material.orderer.sign(forged.secretEnvelope.payload)
        let (verifier, metrics) = Fixture.verifier()
        #expect(await verifier.alive(forged) == nil)
        #expect(await verifier.alive(try mate.envelope(of: elsewhere)) == elsewhere)
        var repeated = try mate.envelope(of: mateAlive(sequence: 2))
        repeated.secretEnvelope.signature = Data([1, 2, 3])
        #expect(await verifier.alive(repeated) == mateAlive(sequence: 2))
        #expect(Self.count("refused", in: metrics) == "1")
    }

    @Test func aPushedBlockIsParsedOnceAndCarriesItsVerifiedForm() async throws {
        let block = try Fixture.block(0)
        var payload = WirePayload()
        payload.seqNum = 0
        payload.data = try block.serializedBytes()
        let (verifier, metrics) = Fixture.verifier()
        let gossip = try #require(await verifier.block(payload))
        let verified = try #require(gossip.verified as? VerifiedBlock)
        #expect(verified.block == block && verified.bytes == gossip.data)
        #expect(verified.hashed.headerHash == BlockHeaderBytes.hash(block.header))
        #expect(verified.transactions.count == 1 && verified.transactions[0].creator.signer != nil)
        // A second copy skips the signature check, and is counted as a repeat.
        #expect(await verifier.block(payload) != nil)
        #expect(Self.count("repeated", in: metrics) == "1")
        #expect(Self.count("refused", in: metrics) == "0")
    }

    @Test func aBlockWithChangedDataOrAnotherNumberIsRefusedEvenAfterItsHeaderWasVerified() async throws {
        let block = try Fixture.block(0)
        let (verifier, metrics) = Fixture.verifier()
        var payload = WirePayload()
        payload.data = try block.serializedBytes()
        #expect(await verifier.block(payload) != nil)
        var tampered = block
        tampered.data.data = [try TransactionBuilder.make(channel: "c", writes: [("other", Data())], creator: Fixture.material.mate).envelope.serializedBytes()]
        payload.data = try tampered.serializedBytes()
        #expect(await verifier.block(payload) == nil)
        payload.data = try block.serializedBytes()
        payload.seqNum = 1
        #expect(await verifier.block(payload) == nil)
        var unsigned = try Fixture.block(1)
        unsigned.metadata = BlockMetadataLayout.empty
        payload.data = try unsigned.serializedBytes()
        #expect(await verifier.block(payload) == nil)
        #expect(Self.count("refused", in: metrics) == "3")
    }

    @Test func theLedgerAppendsAVerifiedBlockAndStillChecksTheChain() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-verified-append-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (ledger, _) = try ChannelLedger.open(directory: folder, channel: "c", durability: .osBuffered)
        let (verifier, _) = Fixture.verifier()
        let first = try Fixture.block(0)
        let firstVerified = try #require(await verifier.verify(first, serialized: try first.serializedBytes()))
        #expect(firstVerified.transactions.count == 1 && firstVerified.transactions[0].creator.signer?.mspID == Fixture.material.mate.mspID)
        try ledger.append(firstVerified.hashed, effects: [TransactionEffect(txID: firstVerified.transactions[0].txID, code: .valid, writes: [])])
        #expect(ledger.height == 1 && ledger.currentHash == BlockHeaderBytes.hash(first.header))
        #expect(BlockMetadataLayout.transactionsFilter(of: try #require(try ledger.block(0))) == [0])
        let orphan = try Fixture.block(1, previous: Data([1, 2, 3]))
        let orphanVerified = try #require(await verifier.verify(orphan, serialized: try orphan.serializedBytes()))
        #expect(throws: LedgerError.previousHashMismatch(channel: "c", block: 1)) {
            try ledger.append(orphanVerified.hashed, effects: [TransactionEffect(txID: "", code: .valid, writes: [])])
        }
        #expect(ledger.height == 1)
    }

    @Test func aTransactionWhoseCreatorDidNotSignItIsMarkedRejectedNotDropped() async throws {
        let mate = Fixture.material.mate
        var forged = try TransactionBuilder.make(channel: "c", writes: [("k", Data("v".utf8))], creator: mate).envelope
        forged.signature = try Fixture.material.orderer.sign(forged.payload)
        let good = try TransactionBuilder.make(channel: "c", writes: [("k", Data("w".utf8))], creator: mate).envelope
        let block = try Fixture.block(0, entries: [try forged.serializedBytes(), try good.serializedBytes()])
        let (verifier, _) = Fixture.verifier()
        let verified = try #require(await verifier.verify(block, serialized: try block.serializedBytes()))
        #expect(verified.transactions.count == 2)
        if case .rejected = verified.transactions[0].creator {} else { Issue.record("the forged creator signature was not rejected") }
        #expect(verified.transactions[1].creator.signer?.mspID == mate.mspID)
        #expect(verified.transactions[1].creator.signer?.roles.contains(.peer) == true)
    }
}
