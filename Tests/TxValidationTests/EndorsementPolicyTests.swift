import FabricPolicy
import FabricWire
import Foundation
import Testing
@testable import Ledger
@testable import TxValidation

/// ENDORSEMENT_POLICY_FAILURE: which endorsements count, and the policy of every namespace
/// written (and of the invoked chaincode).
@Suite struct EndorsementPolicyTests {
    let write = TransactionBuilder("e1").writing("asset1", "blue")

    @Test func oneOrgOfTwoDoesNotSatisfyMajority() {
        let block = TestChannel.validate([write.endorsed(by: .peer1).candidate()])
        #expect(block.codes == [.endorsementPolicyFailure])
        #expect(block.verdicts[0].reason.contains("endorsement policy of 'basic' (/Channel/Application/Endorsement) not satisfied"))
        #expect(block.verdicts[0].reason.contains("1 of 2 satisfied (Org1MSP), 2 needed"))
        #expect(block.effects[0].writes.isEmpty)
    }

    @Test func twoPeersOfOneOrgAreStillOneOrg() {
        #expect(TestChannel.validate([write.endorsed(by: .peer1, .peer1b).candidate()]).codes == [.endorsementPolicyFailure])
    }

    @Test func aClientIsNoPeerForTheDefaultPolicies() {
        let block = TestChannel.validate([write.endorsed(by: .peer1, .client2).candidate()])
        #expect(block.codes == [.endorsementPolicyFailure])
        #expect(block.verdicts[0].reason.contains("OR('Org2MSP.peer') not satisfied by Org1MSP.peer, Org2MSP.client"))
    }

    @Test func rolesAreThePolicysBusinessAsInFabric() throws {
        // A chaincode whose policy accepts any member of Org2 takes a client's endorsement.
        let member = ChaincodeDefinition(name: "basic", version: "1.0", policy: .signature(try SignaturePolicyRule.parse("OR('Org2MSP.member')")))
        let block = TestChannel.validate([write.endorsed(by: .client2).candidate()], TestChannel.context(definitions: [member]))
        #expect(block.codes == [.valid])
    }

    @Test func aChannelMayCountOnlyPeersWhateverThePolicy() throws {
        let member = ChaincodeDefinition(name: "basic", version: "1.0", policy: .signature(try SignaturePolicyRule.parse("OR('Org2MSP.member')")))
        var context = TestChannel.context(definitions: [member])
        context.onlyPeersEndorse = true
        let block = TestChannel.validate([write.endorsed(by: .client2).candidate()], context)
        #expect(block.codes == [.endorsementPolicyFailure])
        #expect(block.verdicts[0].reason.contains("Org2MSP.client is not a peer"))
        #expect(TestChannel.validate([write.endorsed(by: .peer2).candidate()], context).codes == [.valid])
        // Admins still define chaincodes.
        let deploy = ChaincodeDefinitionTests.deploy(ChaincodeDefinition(name: "asset", version: "1", policy: .channelDefault), nonce: "o1")
        #expect(TestChannel.validate([deploy.candidate()], context).codes == [.valid])
    }

    @Test func twoEndorsementsByOneIdentityCountOnce() throws {
        let twice = ChaincodeDefinition(name: "basic", version: "1.0",
                                        policy: .signature(try SignaturePolicyRule.parse("OutOf(2, 'Org1MSP.peer', 'Org1MSP.peer')")))
        let context = TestChannel.context(definitions: [twice])
        let block = TestChannel.validate([write.endorsed(by: .peer1, .peer1).candidate()], context)
        #expect(block.codes == [.endorsementPolicyFailure])
        #expect(block.verdicts[0].reason.contains("endorsement 1 is by the same identity as endorsement 0"))
        #expect(TestChannel.validate([write.endorsed(by: .peer1, .peer1b).candidate()], context).codes == [.valid])
    }

    @Test func anEndorsementWhoseSignatureFailsDoesNotCount() {
        let block = TestChannel.validate([write.endorsed(by: .peer1, .peer2).candidate(endorsementChecks: [1: .rejected("signature over the response does not verify")])])
        #expect(block.codes == [.endorsementPolicyFailure])
        #expect(block.verdicts[0].reason.contains("endorsement 1 did not verify (signature over the response does not verify)"))
        let unchecked = TestChannel.validate([write.endorsed(by: .peer1, .peer2).candidate(endorsementChecks: [0: .notChecked])])
        #expect(unchecked.codes == [.endorsementPolicyFailure])
        // A third, good endorsement makes up for a bad one.
        let extra = TestChannel.validate([write.endorsed(by: .peer1, .peer2, .peer1b).candidate(endorsementChecks: [0: .rejected("bad")])])
        #expect(extra.codes == [.valid])
    }

    @Test func anEndorserOfAnOrgOutsideTheChannelDoesNotCount() {
        let block = TestChannel.validate([write.endorsed(by: .peer1, .outsider).candidate()])
        #expect(block.codes == [.endorsementPolicyFailure])
        #expect(block.verdicts[0].reason.contains("endorsement 1 is by Org3MSP, not an org of the channel"))
    }

    @Test func everyWrittenNamespaceNeedsItsOwnPolicy() throws {
        let strict = ChaincodeDefinition(name: "ledgerA", version: "2", policy: .signature(try SignaturePolicyRule.parse("AND('Org1MSP.peer', 'Org2MSP.peer', 'Org1MSP.admin')")))
        let context = TestChannel.context(definitions: [TestChannel.basic, strict])
        let crossWrite = write.writing("x", "1", in: "ledgerA").endorsed(by: .peer1, .peer2)
        let block = TestChannel.validate([crossWrite.candidate()], context)
        #expect(block.codes == [.endorsementPolicyFailure])
        #expect(block.verdicts[0].reason.contains("'ledgerA'"))
        // Reading another namespace needs no policy of it.
        let crossRead = write.reading("x", at: nil, in: "ledgerA").endorsed(by: .peer1, .peer2)
        #expect(TestChannel.validate([crossRead.candidate()], context).codes == [.valid])
    }

    @Test func theInvokedChaincodesPolicyHoldsEvenWhenItWritesNothing() {
        let readOnly = TransactionBuilder("r1").reading("asset1", at: nil)
        #expect(TestChannel.validate([readOnly.endorsed(by: .peer1).candidate()]).codes == [.endorsementPolicyFailure])
        #expect(TestChannel.validate([readOnly.endorsed(by: .peer1, .peer2).candidate()]).codes == [.valid])
    }

    @Test func fabnetsOwnNamespaceNeedsOnlyTheCreator() {
        let put = TransactionBuilder("p1", chaincode: "fabnet").writing("k", "v")
        #expect(TestChannel.validate([put.candidate()]).codes == [.valid])
        #expect(TestChannel.validate([put.candidate(creatorCheck: .rejected("bad"))]).codes == [.badCreatorSignature])
    }
}
