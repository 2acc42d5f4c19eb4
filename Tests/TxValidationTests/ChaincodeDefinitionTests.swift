import FabricPolicy
import FabricWire
import Foundation
import Testing
@testable import Ledger
@testable import TxValidation

/// INVALID_CHAINCODE and the lifecycle namespace: definitions in force at each transaction,
/// written by admin-endorsed transactions, earlier ones of the same block included.
@Suite struct ChaincodeDefinitionTests {
    static let lifecycle = ChaincodeDefinitions.namespace

    /// A lifecycle transaction defining `definition`, created by Org1's admin and endorsed by
    /// `endorsers`.
    static func deploy(_ definition: ChaincodeDefinition, nonce: String, endorsers: [TestIdentity] = [.admin2]) -> TransactionBuilder {
        TransactionBuilder(nonce, chaincode: lifecycle)
            .writing(ChaincodeDefinitions.key(for: definition.name), data: definition.encoded())
            .created(by: .admin1)
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
        // Org1's admin alone is not a MAJORITY of the Admins.
        let lone = Self.deploy(asset, nonce: "d2", endorsers: [])
        let call = TransactionBuilder("c3", chaincode: "asset").writing("k", "v").endorsed(by: .peer1, .peer2)
        let block = TestChannel.validate([lone.candidate(), call.candidate()])
        #expect(block.codes == [.endorsementPolicyFailure, .invalidChaincode])
        #expect(block.verdicts[0].reason.contains("/Channel/Application/Admins"))
        #expect(block.definitions["asset"] == nil)
    }

    @Test func peersDoNotMakeUpForAdmins() {
        let byPeers = Self.deploy(asset, nonce: "d3", endorsers: [.peer1, .peer2])
        #expect(TestChannel.validate([byPeers.candidate()]).codes == [.endorsementPolicyFailure])
    }

    @Test func aNewVersionReplacesTheDefinitionAndItsPolicy() throws {
        let strict = ChaincodeDefinition(name: "basic", version: "2.0", policy: .signature(try SignaturePolicyRule.parse("AND('Org1MSP.peer', 'Org2MSP.peer', 'Org1MSP.admin')")))
        let call = TransactionBuilder("c4").writing("k", "v").endorsed(by: .peer1, .peer2)
        let block = TestChannel.validate([call.candidate(), Self.deploy(strict, nonce: "d4").candidate(),
                                          call.changing { $0.nonce = Data("c5".utf8) }.candidate()])
        #expect(block.codes == [.valid, .valid, .endorsementPolicyFailure])
    }

    @Test func lifecycleWritesMustBeDefinitions() {
        let notADefinition = TransactionBuilder("d5", chaincode: Self.lifecycle).writing("definition/asset", "hello")
            .created(by: .admin1).endorsed(by: .admin2)
        let wrongKey = TransactionBuilder("d6", chaincode: Self.lifecycle).writing("settings", "x").created(by: .admin1).endorsed(by: .admin2)
        let mismatch = TransactionBuilder("d7", chaincode: Self.lifecycle).writing("definition/other", data: asset.encoded())
            .created(by: .admin1).endorsed(by: .admin2)
        let badName = Self.deploy(ChaincodeDefinition(name: "-bad", version: "1", policy: .channelDefault), nonce: "d8")
        let block = TestChannel.validate([notADefinition.candidate(), wrongKey.candidate(), mismatch.candidate(), badName.candidate()])
        #expect(block.codes == [.invalidWriteset, .invalidWriteset, .invalidWriteset, .invalidWriteset])
        #expect(block.verdicts[0].reason.contains("is not a JSON chaincode definition"))
        #expect(block.verdicts[2].reason.contains("names 'asset', not 'other'"))
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
        #expect(ChaincodeDefinitions(state: state) == block.definitions)
        #expect(ChaincodeDefinitions(state: state).all.map(\.name) == ["asset", "signed"])
        var kept = ChaincodeDefinitions()
        kept.apply(block.effects)
        #expect(kept == block.definitions)
    }

    @Test func chaincodeNamesFollowFabricsRule() {
        #expect(LifecycleWrites.isChaincodeName("asset-transfer_basic2"))
        for bad in ["", "-a", "a-", "a--b", "a.b", "a b", "_fabnet"] { #expect(!LifecycleWrites.isChaincodeName(bad), "\(bad)") }
        #expect(LifecycleWrites.isVersion("1.0+build-7_x"))
        #expect(!LifecycleWrites.isVersion("1 0"))
    }
}
