import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf
import Testing
@testable import Ledger
@testable import TxValidation

/// The codes decided before state and policies: the envelope, the creator, the tx id, the
/// endorser transaction's shape, and duplicates.
@Suite struct EnvelopeCodeTests {
    let good = TransactionBuilder("n1").writing("asset1", "blue").endorsed(by: .peer1, .peer2)

    @Test func anEndorsedTransactionSatisfyingItsPolicyIsValidAndWrites() {
        let block = TestChannel.validate([good.candidate()])
        #expect(block.codes == [.valid])
        #expect(block.verdicts[0].reason.isEmpty)
        #expect(block.effects[0].txID == good.expectedTxID)
        #expect(block.effects[0].writes.map(\.namespace) == ["basic"])
        #expect(block.effects[0].writes[0].set.writes.map(\.key) == ["asset1"])
    }

    @Test func entriesThatDoNotOpenKeepTheirCodes() throws {
        var noPayload = Common_Envelope()
        noPayload.signature = Data([1])
        var badHeader = try Common_Envelope(serializedBytes: good.envelope())
        var payload = try Common_Payload(serializedBytes: badHeader.payload)
        payload.header.channelHeader = Data([0xFF, 0xFF])
        badHeader.payload = try payload.serializedBytes()
        let block = TestChannel.validate([
            CandidateTransaction.prepare(Data([0xFF, 0x01])),
            CandidateTransaction.prepare(try noPayload.serializedBytes()),
            CandidateTransaction.prepare(try badHeader.serializedBytes()),
            good.changing { $0.channel = "otherchannel" }.candidate(),
        ])
        #expect(block.codes == [.nilEnvelope, .badPayload, .badCommonHeader, .badCommonHeader])
        #expect(block.verdicts[3].reason.contains("otherchannel"))
        #expect(block.effects.filter { !$0.writes.isEmpty }.isEmpty)
    }

    @Test func theCreatorMustBeOfTheChannelAndItsSignatureVerified() {
        let block = TestChannel.validate([
            good.candidate(creatorCheck: .rejected("ECDSA signature does not verify")),
            good.changing { $0.nonce = Data("n2".utf8) }.candidate(creatorCheck: .notChecked),
            good.created(by: .outsider).candidate(),
        ])
        #expect(block.codes == [.badCreatorSignature, .badCreatorSignature, .badCreatorSignature])
        #expect(block.verdicts[0].reason.contains("ECDSA signature does not verify"))
        #expect(block.verdicts[1].reason.contains("not verified"))
        #expect(block.verdicts[2].reason.contains("'Org3MSP' is not an org of channel 'mychannel'"))
    }

    @Test func aTxIDThatIsNotTheHashOfNonceAndCreatorIsBadProposalTxID() {
        let wrong = good.changing { $0.txID = String(repeating: "0", count: 64) }
        #expect(TestChannel.validate([wrong.candidate()]).codes == [.badProposalTxid])
        // Fabric checks the creator's signature first.
        #expect(TestChannel.validate([wrong.candidate(creatorCheck: .rejected("bad"))]).codes == [.badCreatorSignature])
    }

    @Test func notExactlyOneActionIsAnInvalidEndorserTransaction() {
        for count in [0, 2] {
            let block = TestChannel.validate([good.changing { $0.actionCount = count }.candidate()])
            #expect(block.codes == [.invalidEndorserTransaction])
            #expect(block.verdicts[0].reason.contains("\(count) actions"))
        }
    }

    @Test func aProposalHashThatDoesNotMatchIsAnInvalidEndorserTransaction() {
        let block = TestChannel.validate([good.changing { $0.proposalHash = Data(repeating: 1, count: 32) }.candidate()])
        #expect(block.codes == [.invalidEndorserTransaction])
        #expect(block.verdicts[0].reason.contains("proposal_hash"))
    }

    @Test func anActionHeaderOtherThanThePayloadsIsAnInvalidEndorserTransaction() throws {
        // Another creator's signature header, hashed into the proposal as the action carries it.
        let other = try Common_SignatureHeader.with { $0.creator = TestIdentity.client2.serialized; $0.nonce = Data("n1".utf8) }
            .serializedBytes() as Data
        let block = TestChannel.validate([good.changing { $0.actionHeader = other }.candidate()])
        #expect(block.codes == [.invalidEndorserTransaction])
        #expect(block.verdicts[0].reason.contains("signature header differs"))
    }

    @Test func anIDTheLedgerHasOrAnEarlierEntryCarriedIsADuplicate() {
        var index = TransactionIndex()
        index.record(good.expectedTxID, TransactionLocation(block: 2, index: 3, code: .mvccReadConflict))
        let committed = TestChannel.validate([good.candidate()], TestChannel.context(transactions: index))
        #expect(committed.codes == [.duplicateTxid])
        #expect(committed.verdicts[0].reason.contains("block 2 at index 3"))
        let inBlock = TestChannel.validate([good.candidate(), good.candidate()])
        #expect(inBlock.codes == [.valid, .duplicateTxid])
        #expect(inBlock.effects[1].writes.isEmpty)
    }

    @Test func anEarlierCopyThatFailedItsPolicyDoesNotMakeALaterOneADuplicate() {
        // The first copy lost an endorsement (its signature did not verify): as in Fabric, only
        // a copy that passed the checks up to the policies claims the id.
        let block = TestChannel.validate([good.candidate(endorsementChecks: [1: .rejected("bad")]), good.candidate()])
        #expect(block.codes == [.endorsementPolicyFailure, .valid])
    }

    @Test func anEarlierCopyWithAReadConflictStillMakesALaterOneADuplicate() {
        let stale = good.reading("asset1", at: Version(block: 1, transaction: 0))
        let block = TestChannel.validate([stale.candidate(), stale.candidate()])
        #expect(block.codes == [.mvccReadConflict, .duplicateTxid])
    }

    @Test func fabnetsUnendorsedWritesAsBeforeTheExistingTestOfCommitValidation() throws {
        // `fabnet tx put`'s transactions: namespace `fabnet`, the creator's signature alone.
        func unendorsed(_ nonce: String) throws -> Data {
            let made = try UnendorsedTransaction.payload(
                channel: "mychannel", namespace: "fabnet", arguments: [], writes: [("a", Data("1".utf8))],
                creator: TestIdentity.client1.serialized, nonce: Data(nonce.utf8), timestamp: Date(timeIntervalSince1970: 1_800_000_000))
            return try Common_Envelope.with { $0.payload = made.payload; $0.signature = Data([7]) }.serializedBytes()
        }
        let good = try unendorsed("n1")
        var envelope = try Common_Envelope(serializedBytes: good)
        var payload = try Common_Payload(serializedBytes: envelope.payload)
        var header = try Common_ChannelHeader(serializedBytes: payload.header.channelHeader)
        header.txID = String(repeating: "0", count: 64)
        payload.header.channelHeader = try header.serializedBytes()
        envelope.payload = try payload.serializedBytes()
        let candidates = [good, try envelope.serializedBytes(), Data([0xFF, 0x01]), good].map { entry in
            var candidate = CandidateTransaction.prepare(entry)
            candidate.recordCreator(.verified(TestIdentity.client1.signer))
            return candidate
        }
        let block = TestChannel.validate(candidates, TestChannel.context(definitions: []))
        #expect(block.codes == [.valid, .badProposalTxid, .nilEnvelope, .duplicateTxid])
        #expect(block.effects[0].writes.count == 1 && block.effects[1].writes.isEmpty && block.effects[3].writes.isEmpty)
    }

    @Test func configTransactionsAreValidInBlockZeroOnly() throws {
        let creator = TestIdentity.admin1.serialized
        let channelHeader = try Common_ChannelHeader.with {
            $0.type = Int32(Common_HeaderType.config.rawValue)
            $0.channelID = "mychannel"
        }.serializedBytes() as Data
        let payload = try Common_Payload.with {
            $0.header.channelHeader = channelHeader
            $0.header.signatureHeader = try Common_SignatureHeader.with { $0.creator = creator; $0.nonce = Data("c".utf8) }.serializedBytes()
        }.serializedBytes() as Data
        let entry = try Common_Envelope.with { $0.payload = payload; $0.signature = Data([1]) }.serializedBytes() as Data
        #expect(TestChannel.validate([CandidateTransaction.prepare(entry)], TestChannel.context(block: 0)).codes == [.valid])
        #expect(TestChannel.validate([CandidateTransaction.prepare(entry)], TestChannel.context(block: 3)).codes == [.invalidConfigTransaction])
    }
}
