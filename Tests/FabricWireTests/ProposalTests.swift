import Foundation
import SwiftProtobuf
import Testing
@testable import FabricWire

/// An endorser's view of a client's proposal, and what it builds from it, against a proposal
/// made by Hyperledger's own Python protos.
@Suite struct ProposalTests {
    @Test func anOfficialProposalUnpacksWithFabricsProposalHash() throws {
        let vector = try FabricVectors.vector("signedProposal")
        let unpacked = try UnpackedProposal.unpack(try Protos_SignedProposal(serializedBytes: vector.bytes))
        #expect(unpacked.txID == (try vector.value("txId", as: String.self)))
        #expect(unpacked.chaincodeName == (try vector.value("chaincodeName", as: String.self)))
        #expect(unpacked.input.args.map { String(decoding: $0, as: UTF8.self) } == (try vector.value("args", as: [String].self)))
        #expect(FabricVectors.hex(unpacked.proposalHash) == (try vector.value("proposalHashHex", as: String.self)))
        #expect(FabricVectors.hex(unpacked.proposalPayloadForTransaction) == (try vector.value("payloadWithoutTransientHex", as: String.self)))
        #expect(unpacked.proposalPayload.transientMap["secret"] != nil, "the chaincode still sees the transient map")
    }

    @Test func aWrongTxIDOrHeaderTypeIsRefusedWithFabricsWords() throws {
        let signed = try Protos_SignedProposal(serializedBytes: try FabricVectors.vector("signedProposal").bytes)
        func altered(_ change: (inout Common_ChannelHeader) -> Void) throws -> Protos_SignedProposal {
            var proposal = try Protos_Proposal(serializedBytes: signed.proposalBytes)
            var header = try Common_Header(serializedBytes: proposal.header)
            var channelHeader = try Common_ChannelHeader(serializedBytes: header.channelHeader)
            change(&channelHeader)
            header.channelHeader = try channelHeader.serializedBytes()
            proposal.header = try header.serializedBytes()
            var result = signed
            result.proposalBytes = try proposal.serializedBytes()
            return result
        }
        #expect(throws: UnpackedProposal.Problem.self) { _ = try UnpackedProposal.unpack(try altered { $0.txID = "abc" }) }
        let wrongID = try altered { $0.txID = "abc" }
        do {
            _ = try UnpackedProposal.unpack(wrongID)
        } catch {
            #expect((error as UnpackedProposal.Problem).message.hasPrefix("incorrectly computed txid"))
        }
        #expect(throws: UnpackedProposal.Problem.self) { _ = try UnpackedProposal.unpack(try altered { $0.type = 1 }) }
        #expect(throws: UnpackedProposal.Problem.self) { _ = try UnpackedProposal.unpack(try altered { $0.epoch = 3 }) }
        #expect(throws: UnpackedProposal.Problem.self) { _ = try UnpackedProposal.unpack(Protos_SignedProposal()) }
    }

    @Test func theAssembledTransactionOpensAsAValidatorReadsIt() throws {
        let unpacked = try UnpackedProposal.unpack(try Protos_SignedProposal(serializedBytes: try FabricVectors.vector("signedProposal").bytes))
        var write = Kvrwset_KVWrite()
        write.key = "asset1"
        write.value = Data("v".utf8)
        var set = Kvrwset_KVRWSet()
        set.writes = [write]
        var namespace = Rwset_NsReadWriteSet()
        namespace.namespace = "basic"
        namespace.rwset = try set.serializedBytes()
        var rwset = Rwset_TxReadWriteSet()
        rwset.nsRwset = [namespace]
        var response = Protos_Response()
        response.status = 200
        response.payload = Data("ok".utf8)
        let payload = try EndorsedTransaction.responsePayload(
            proposal: unpacked, results: try rwset.serializedBytes(), events: Data(), response: response, chaincodeID: unpacked.chaincodeID)
        let endorser = Data("peer identity".utf8)
        let signed = try EndorsedTransaction.proposalResponse(payload: payload, response: response, endorser: endorser) { data in
            #expect(data == payload + endorser)
            return Data([0x30, 0x01])
        }
        #expect(signed.version == 1 && signed.endorsement.endorser == endorser)
        let transaction = try EndorsedTransaction.transactionPayload(proposal: unpacked, responsePayload: payload, endorsements: [signed.endorsement])
        var envelope = Common_Envelope()
        envelope.payload = try transaction.serializedBytes()
        envelope.signature = Data([0x30])
        let view = try EnvelopeView.open(envelope)
        try view.checkHeader(channel: "mychannel")
        #expect(view.txID == unpacked.txID)
        let action = try EndorserTransaction.chaincodeAction(of: view)
        #expect(action.response.payload == Data("ok".utf8))
        #expect(try EndorserTransaction.rwset(of: view).first?.set.writes.first?.key == "asset1")
        let decoded = try Protos_ChaincodeActionPayload(serializedBytes: try Protos_Transaction(serializedBytes: transaction.data).actions[0].payload)
        #expect(decoded.chaincodeProposalPayload == unpacked.proposalPayloadForTransaction, "no transient map in the transaction")
        let responsePayload = try Protos_ProposalResponsePayload(serializedBytes: decoded.action.proposalResponsePayload)
        #expect(responsePayload.proposalHash == unpacked.proposalHash)
    }
}
