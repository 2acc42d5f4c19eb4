import Foundation
import SwiftProtobuf
import Testing
import FabricWire

/// Messages built in Swift survive encoding and decoding, and encode to the bytes Fabric's
/// field numbers and proto3 rules dictate (defaults left out, fields in number order).
@Suite struct RoundTripTests {
    @Test func blockHeaderEncodesFieldsOneTwoThree() throws {
        var header = Common_BlockHeader()
        header.number = 1
        header.previousHash = Data([0xAA])
        header.dataHash = Data([0xBB])
        let bytes: [UInt8] = try header.serializedBytes()
        #expect(bytes == [0x08, 0x01, 0x12, 0x01, 0xAA, 0x1A, 0x01, 0xBB])
        #expect(try Common_BlockHeader(serializedBytes: bytes) == header)
    }

    @Test func channelHeaderLeavesZeroEpochAndEmptyFieldsOut() throws {
        var header = Common_ChannelHeader()
        header.type = Int32(Common_HeaderType.deliverSeekInfo.rawValue)
        header.channelID = "c"
        header.epoch = 0
        let bytes: [UInt8] = try header.serializedBytes()
        // type (1) = 5, channel_id (4) = "c"; version, timestamp, tx_id, epoch, extension absent.
        #expect(bytes == [0x08, 0x05, 0x22, 0x01, 0x63])
    }

    @Test func proposalRoundTripsThroughItsNestedBytes() throws {
        var input = Protos_ChaincodeInput()
        input.args = [Data("ReadAsset".utf8), Data("asset1".utf8)]
        var spec = Protos_ChaincodeSpec()
        spec.chaincodeID.name = "basic"
        spec.input = input
        var invocation = Protos_ChaincodeInvocationSpec()
        invocation.chaincodeSpec = spec
        var payload = Protos_ChaincodeProposalPayload()
        payload.input = try invocation.serializedBytes()
        payload.transientMap = ["secret": Data([1, 2, 3])]
        var proposal = Protos_Proposal()
        proposal.payload = try payload.serializedBytes()
        var signed = Protos_SignedProposal()
        signed.proposalBytes = try proposal.serializedBytes()
        signed.signature = Data([0x30, 0x44])

        let decoded = try Protos_SignedProposal(serializedBytes: try signed.serializedBytes() as [UInt8])
        #expect(decoded == signed)
        let decodedPayload = try Protos_ChaincodeProposalPayload(
            serializedBytes: try Protos_Proposal(serializedBytes: decoded.proposalBytes).payload)
        #expect(decodedPayload.transientMap["secret"] == Data([1, 2, 3]))
        let decodedSpec = try Protos_ChaincodeInvocationSpec(serializedBytes: decodedPayload.input).chaincodeSpec
        #expect(decodedSpec.chaincodeID.name == "basic")
        #expect(decodedSpec.input.args == input.args)
    }

    @Test func deliverResponseKeepsItsOneofCase() throws {
        var block = Common_Block()
        block.header.number = 9
        block.data.data = [Data("tx".utf8)]
        var withBlock = Protos_DeliverResponse()
        withBlock.block = block
        var withStatus = Orderer_DeliverResponse()
        withStatus.status = .notFound

        let blockBack = try Protos_DeliverResponse(serializedBytes: try withBlock.serializedBytes() as [UInt8])
        guard case .block(let decoded) = blockBack.type else {
            Issue.record("decoded case is \(String(describing: blockBack.type))")
            return
        }
        #expect(decoded == block)
        let statusBytes: [UInt8] = try withStatus.serializedBytes()
        #expect(statusBytes == [0x08, 0x94, 0x03])  // status (1) = 404
        #expect(try Orderer_DeliverResponse(serializedBytes: statusBytes).status == .notFound)
    }

    @Test func fieldsFabricHasAndFabricWireLeavesOutSurviveReencoding() throws {
        // protos.DeliverResponse field 4 (block_and_private_data) is not in FabricWire's file.
        let bytes: [UInt8] = [0x22, 0x02, 0x0A, 0x00]
        let response = try Protos_DeliverResponse(serializedBytes: bytes)
        #expect(response.type == nil)
        #expect(try response.serializedBytes() == bytes)
    }

    @Test func chaincodeMessageResponseRepeatsTxidAndChannel() throws {
        var kv = Queryresult_KV()
        kv.namespace = "basic"
        kv.key = "asset1"
        kv.value = Data("{}".utf8)
        var result = Protos_QueryResultBytes()
        result.resultBytes = try kv.serializedBytes()
        var response = Protos_QueryResponse()
        response.results = [result]
        response.hasMore_p = true
        response.id = "q1"
        var message = Protos_ChaincodeMessage()
        message.type = .response
        message.txid = "tx-1"
        message.channelID = "mychannel"
        message.payload = try response.serializedBytes()

        let back = try Protos_ChaincodeMessage(serializedBytes: try message.serializedBytes() as [UInt8])
        #expect(back.type.rawValue == 13)
        #expect(back.txid == "tx-1" && back.channelID == "mychannel")
        let page = try Protos_QueryResponse(serializedBytes: back.payload)
        #expect(page.hasMore_p && page.id == "q1")
        #expect(try Queryresult_KV(serializedBytes: page.results[0].resultBytes) == kv)
    }
}
