import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf
import Testing
@testable import Ledger
@testable import TxValidation

/// The codes of Fabric's validation dispatcher for an action whose contents are not usable:
/// BAD_RWSET, ILLEGAL_WRITESET, INVALID_OTHER_REASON (events, key metadata, a Merkle degree below 2).
@Suite struct ActionCodeTests {
    let call = TransactionBuilder("a1").writing("k", "v").endorsed(by: .peer1, .peer2)

    @Test func anUndecodableHeaderExtensionOrResponseHasItsOwnCode() {
        let garbage = Data([0xFF, 0xFF, 0xFF])
        #expect(TestChannel.validate([call.changing { $0.headerExtension = garbage }.candidate()]).codes == [.badHeaderExtension])
        #expect(TestChannel.validate([call.changing { $0.responseExtension = garbage }.candidate()]).codes == [.badResponsePayload])
        // An extension naming no chaincode.
        #expect(TestChannel.validate([call.changing { $0.headerExtension = Data() }.candidate()]).codes == [.invalidOtherReason])
    }

    @Test func aReadWriteSetThatDoesNotDecodeIsBadRwset() {
        let block = TestChannel.validate([call.changing { $0.results = Data([0xFF, 0xFF, 0xFF]) }.candidate()])
        #expect(block.codes == [.badRwset])
    }

    @Test func aNamespaceTwiceIsAnIllegalWriteset() {
        let block = TestChannel.validate([call.repeatingNamespace("basic").candidate()])
        #expect(block.codes == [.illegalWriteset])
        #expect(block.verdicts[0].reason.contains("'basic' appears twice"))
    }

    @Test func keyMetadataWritesAreRefusedNotIgnored() {
        let block = TestChannel.validate([call.writingMetadata("k").candidate()])
        #expect(block.codes == [.invalidOtherReason])
        #expect(block.verdicts[0].reason.contains("key-level endorsement"))
    }

    @Test func aChaincodeEventMustBeTheInvokedChaincodes() throws {
        let own = try Protos_ChaincodeEvent.with { $0.chaincodeID = "basic"; $0.eventName = "Created" }.serializedBytes() as Data
        let other = try Protos_ChaincodeEvent.with { $0.chaincodeID = "asset"; $0.eventName = "Created" }.serializedBytes() as Data
        #expect(TestChannel.validate([call.changing { $0.events = own }.candidate()]).codes == [.valid])
        #expect(TestChannel.validate([call.changing { $0.events = other }.candidate()]).codes == [.invalidOtherReason])
    }

    @Test func aMerkleSummaryOfDegreeBelowTwoCannotBeChecked() {
        var merkle = Kvrwset_RangeQueryInfo()
        merkle.startKey = "a"
        merkle.readsMerkleHashes = .with { $0.maxDegree = 1; $0.maxLevel = 1; $0.maxLevelHashes = [Data(repeating: 1, count: 32)] }
        let summarized = call.changing { builder in builder.namespaces[0].set.rangeQueriesInfo.append(merkle) }
        let block = TestChannel.validate([summarized.candidate()])
        #expect(block.codes == [.invalidOtherReason])
        #expect(block.verdicts[0].reason.contains("Merkle summary of degree 1"))
    }

    @Test func signaturesToCheckAreTheBytesFabricVerifies() throws {
        let candidate = call.candidate()
        let creator = try #require(candidate.creatorSignature)
        let envelope = try Common_Envelope(serializedBytes: call.envelope())
        #expect(creator.signedBytes == envelope.payload)
        #expect(creator.identity?.mspid == "Org1MSP")
        let endorsements = candidate.endorsementSignatures
        #expect(endorsements.count == 2)
        let action = try #require(candidate.action)
        #expect(endorsements[1].signedBytes == action.responsePayloadBytes + TestIdentity.peer2.serialized)
        #expect(endorsements[1].identity?.mspid == "Org2MSP")
        // What the shell records keeps the identity it verified, whatever the signer said.
        var recorded = CandidateTransaction.prepare(call.envelope())
        recorded.recordEndorsement(0, .verified(PolicySigner(mspID: "Org1MSP", roles: [.peer])))
        recorded.recordEndorsement(7, .verified(PolicySigner(mspID: "Org1MSP", roles: [.peer])))
        #expect(recorded.endorsers[0].signer?.identity == TestIdentity.peer1.serialized)
        #expect(recorded.endorsers.count == 2)
    }
}
