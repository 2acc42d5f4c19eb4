import FabnetClient
import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf
import Testing
@testable import Ledger
@testable import TxValidation

/// INVALID_CHAINCODE and the lifecycle namespace: definitions in force at each transaction,
/// written by admin-endorsed transactions, earlier ones of the same block included.
@Suite struct ChaincodeDefinitionTests {
    static let lifecycle = DefinitionsInForce.namespace

    /// A lifecycle transaction defining `definition` (under its name, as `fabnet chaincode
    /// deploy` writes it), created by `creator` (Org1's admin) and endorsed by `endorsers`.
    static func deploy(_ definition: ChaincodeDefinition, nonce: String, creator: TestIdentity = .admin1,
                       endorsers: [TestIdentity] = []) -> TransactionBuilder {
        TransactionBuilder(nonce, chaincode: lifecycle)
            .writing(definition.name, data: definition.encoded())
            .created(by: creator)
            .changing { $0.endorsers = endorsers }
    }

    let asset = ChaincodeDefinition(name: "asset", version: "1.0", policy: .channelDefault)

    @Test func aChaincodeWithoutADefinitionIsInvalidChaincode() {
        let call = TransactionBuilder("u1", chaincode: "unknown").writing("k", "v").endorsed(by: .peer1, .peer2)
        let block = TestChannel.validate([call.candidate()])
        #expect(block.codes == [.invalidChaincode])
        #expect(block.verdicts[0].reason == "chaincode 'unknown' is not defined on channel 'mychannel' at block 5")
    }

    @Test func writingAnUndefinedNamespaceIsInvalidChaincode() {
        let call = TransactionBuilder("u2").writing("k", "v").writing("k", "v", in: "other").endorsed(by: .peer1, .peer2)
        let block = TestChannel.validate([call.candidate()])
        #expect(block.codes == [.invalidChaincode])
        #expect(block.verdicts[0].reason.contains("'other'"))
    }

    @Test func theActionMustBeByTheInvokedChaincodeWithAVersion() {
        let other = TransactionBuilder("u3").writing("k", "v").endorsed(by: .peer1, .peer2).changing { $0.actionChaincode = "asset" }
        #expect(TestChannel.validate([other.candidate()]).codes == [.invalidChaincode])
        let unversioned = TransactionBuilder("u4").writing("k", "v").endorsed(by: .peer1, .peer2).changing { $0.version = "" }
        #expect(TestChannel.validate([unversioned.candidate()]).codes == [.invalidChaincode])
    }

    @Test func aDefinitionCommittedEarlierInTheBlockCounts() {
        let call = TransactionBuilder("c1", chaincode: "asset").writing("k", "v").endorsed(by: .peer1, .peer2)
        let block = TestChannel.validate([call.candidate(), Self.deploy(asset, nonce: "d1").candidate(),
                                          call.changing { $0.nonce = Data("c2".utf8) }.candidate()])
        #expect(block.codes == [.invalidChaincode, .valid, .valid])
        #expect(block.definitions["asset"] == asset)
        #expect(block.definitions["basic"] == TestChannel.basic)
    }

    @Test func aDefinitionThatFailedDoesNotCount() {
        // A client is no admin.
        let byClient = Self.deploy(asset, nonce: "d2", creator: .client1)
        let call = TransactionBuilder("c3", chaincode: "asset").writing("k", "v").endorsed(by: .peer1, .peer2)
        let block = TestChannel.validate([byClient.candidate(), call.candidate()])
        #expect(block.codes == [.endorsementPolicyFailure, .invalidChaincode])
        #expect(block.verdicts[0].reason.contains("OR('Org1MSP.admin', 'Org2MSP.admin')"))
        #expect(block.definitions["asset"] == nil)
    }

    @Test func peersDoNotMakeUpForAnAdmin() {
        let byPeers = Self.deploy(asset, nonce: "d3", creator: .client1, endorsers: [.peer1, .peer2])
        #expect(TestChannel.validate([byPeers.candidate()]).codes == [.endorsementPolicyFailure])
        // An admin's endorsement does.
        let endorsedByAdmin = Self.deploy(asset, nonce: "d3b", creator: .client1, endorsers: [.admin2])
        #expect(TestChannel.validate([endorsedByAdmin.candidate()]).codes == [.valid])
    }

    @Test func aChannelMayAskForMoreAdmins() {
        var context = TestChannel.context()
        context.lifecyclePolicy = .channelPolicy("/Channel/Application/Admins")
        let block = TestChannel.validate([Self.deploy(asset, nonce: "d11").candidate(),
                                          Self.deploy(asset, nonce: "d12", endorsers: [.admin2]).candidate()], context)
        #expect(block.codes == [.endorsementPolicyFailure, .valid])
        #expect(block.verdicts[0].reason.contains("MAJORITY Admins"))
    }

    @Test func eachDefinitionIsTheNextSequenceOfItsName() {
        var second = asset
        second.sequence = 2
        second.version = "2.0"
        let block = TestChannel.validate([Self.deploy(asset, nonce: "s1").candidate(), Self.deploy(asset, nonce: "s2").candidate(),
                                          Self.deploy(second, nonce: "s3").candidate(), Self.deploy(asset, nonce: "s4").candidate()])
        #expect(block.codes == [.valid, .invalidWriteset, .valid, .invalidWriteset])
        #expect(block.verdicts[1].reason == "lifecycle key 'asset': sequence 1, but the next of 'asset' is 2")
        #expect(block.definitions["asset"] == second)
    }

    @Test func aNewVersionReplacesTheDefinitionAndItsPolicy() throws {
        let strict = ChaincodeDefinition(name: "basic", version: "2.0", sequence: 2, policy: .signature(try SignaturePolicyRule.parse("AND('Org1MSP.peer', 'Org2MSP.peer', 'Org1MSP.admin')")))
        let call = TransactionBuilder("c4").writing("k", "v").endorsed(by: .peer1, .peer2)
        let block = TestChannel.validate([call.candidate(), Self.deploy(strict, nonce: "d4").candidate(),
                                          call.changing { $0.nonce = Data("c5".utf8) }.candidate()])
        #expect(block.codes == [.valid, .valid, .endorsementPolicyFailure])
    }

    @Test func lifecycleWritesMustBeDefinitions() {
        let notADefinition = TransactionBuilder("d5", chaincode: Self.lifecycle).writing("asset", data: Data([0xFF, 0xFF])).created(by: .admin1)
        let mismatch = TransactionBuilder("d7", chaincode: Self.lifecycle).writing("other", data: asset.encoded()).created(by: .admin1)
        let badName = Self.deploy(ChaincodeDefinition(name: "_hidden", version: "1", policy: .channelDefault), nonce: "d8")
        let noVersion = Self.deploy(ChaincodeDefinition(name: "nov", version: "", policy: .channelDefault), nonce: "d9")
        let block = TestChannel.validate([notADefinition.candidate(), mismatch.candidate(), badName.candidate(), noVersion.candidate()])
        #expect(block.codes == [.invalidWriteset, .invalidWriteset, .invalidWriteset, .invalidWriteset])
        #expect(block.verdicts[0].reason.contains("is not a fabnet.wire.ChaincodeDefinition"))
        #expect(block.verdicts[1].reason.contains("the definition names 'asset'"))
        #expect(block.verdicts[3].reason.contains("empty version"))
    }

    @Test func definitionsRoundTripThroughTheState() throws {
        let signature = ChaincodeDefinition(name: "signed", version: "3", policy: .signature(try SignaturePolicyRule.parse("OR('Org1MSP.peer')")))
        #expect(try ChaincodeDefinition.decode(signature.encoded()).get() == signature)
        #expect(try ChaincodeDefinition.decode(asset.encoded()).get() == asset)
        #expect(asset.encoded() == asset.encoded())
        let block = TestChannel.validate([Self.deploy(asset, nonce: "d9").candidate(), Self.deploy(signature, nonce: "d10").candidate()],
                                         TestChannel.context(definitions: []))
        #expect(block.codes == [.valid, .valid])
        // What a ledger would hold after the block, read back as a peer that opens it does.
        var state = WorldState()
        for (index, effect) in block.effects.enumerated() {
            for set in effect.writes { state.apply(set.set.writes, namespace: set.namespace, version: Version(block: 5, transaction: UInt64(index))) }
        }
        #expect(DefinitionsInForce(state: state) == block.definitions)
        #expect(DefinitionsInForce(state: state).all.map(\.name) == ["asset", "signed"])
        var kept = DefinitionsInForce()
        kept.apply(block.effects)
        #expect(kept == block.definitions)
    }

    @Test func whatFabnetChaincodeDeployCommitsIsValid() throws {
        // The definition and the transaction as FabnetClient's ChaincodeLifecycle makes them
        // (an unendorsed endorser transaction of one org's Admin writing the one key).
        #expect(ChaincodeLifecycle.namespace == DefinitionsInForce.namespace)
        for policy in [nil, "AND('Org1MSP.peer','Org2MSP.peer')"] {
            let wire = try ChaincodeLifecycle.definition(name: "asset", version: "1.2", sequence: 1, policy: policy)
            let made = try UnendorsedTransaction.payload(
                channel: "mychannel", namespace: ChaincodeLifecycle.namespace, arguments: [], writes: [(wire.name, try wire.serializedBytes())],
                creator: TestIdentity.admin2.serialized, nonce: Data("deploy \(policy ?? "default")".utf8),
                timestamp: Date(timeIntervalSince1970: 1_800_000_000))
            var candidate = CandidateTransaction.prepare(try Common_Envelope.with { $0.payload = made.payload; $0.signature = Data([1]) }.serializedBytes())
            candidate.recordCreator(.verified(TestIdentity.admin2.signer))
            let block = TestChannel.validate([candidate], TestChannel.context(definitions: []))
            #expect(block.codes == [.valid])
            let definition = try #require(block.definitions["asset"])
            #expect(definition.version == "1.2" && definition.sequence == 1)
            if policy == nil {
                #expect(definition.policy == .channelDefault)
            } else {
                #expect(definition.policy == .signature(try SignaturePolicyRule.parse("AND('Org1MSP.peer','Org2MSP.peer')")))
            }
        }
    }

    @Test func chaincodeNamesAreTheOnesDeployAccepts() {
        #expect(LifecycleWrites.isChaincodeName("asset-transfer_basic.2"))
        for bad in ["", "_fabnet", "a b", "a/b"] { #expect(!LifecycleWrites.isChaincodeName(bad), "\(bad)") }
    }
}
