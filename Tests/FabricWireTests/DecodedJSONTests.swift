import Foundation
import SwiftProtobuf
import Testing
@testable import FabricWire

/// `DecodedJSON` shows a block as configtxlator does: nested messages decoded in place.
@Suite struct DecodedJSONTests {
    @Test func anEndorserTransactionIsDecodedDownToItsReadWriteSet() throws {
        let block = try Common_Block(serializedBytes: try FabricVectors.vector("block").bytes)
        let tree = DecodedJSON.block(block)
        let text = DecodedJSON.render(tree)
        let envelope = try #require(((tree["data"] as? [String: Any])?["data"] as? [Any])?.first as? [String: Any])
        let payload = try #require(envelope["payload"] as? [String: Any])
        let header = try #require(payload["header"] as? [String: Any])
        let channelHeader = try #require(header["channel_header"] as? [String: Any])
        #expect(channelHeader["channel_id"] as? String == "mychannel")
        #expect(channelHeader["tx_id"] as? String == (try FabricVectors.vector("envelope").value("txId", as: String.self)))
        let creator = try #require((header["signature_header"] as? [String: Any])?["creator"] as? [String: Any])
        #expect(creator["mspid"] as? String == "Org1MSP")
        // Down to the writes, with the keys in clear.
        #expect(text.contains("\"key\" : \"asset9\""))
        #expect(text.contains("\"is_delete\" : true"))
        #expect(text.contains("\"namespace\" : \"basic\""))
        // The signatures slot is decoded; the flags slot stays base64, as configtxlator leaves it.
        let slots = try #require((tree["metadata"] as? [String: Any])?["metadata"] as? [Any])
        #expect(slots[0] is [String: Any])
        #expect(slots[2] as? String == Data([0]).base64EncodedString())
    }

    @Test func aConfigEnvelopeShowsItsTreeWithValuesAndPolicies() throws {
        let bytes = try FabricVectors.vector("configEnvelope").bytes
        let tree = DecodedJSON.configEnvelope(try Common_ConfigEnvelope(serializedBytes: bytes))
        let text = DecodedJSON.render(tree)
        #expect(text.contains("\"name\" : \"Org1MSP\""), "the MSP value's FabricMSPConfig is decoded")
        #expect(text.contains("\"max_message_count\" : 10"))
        #expect(text.contains("\"sub_policy\" : \"Endorsement\""))
        #expect(text.contains("\"timeout\" : \"2s\""))
    }

    @Test func bytesThatDoNotDecodeStayBase64() {
        var envelope = Common_Envelope()
        envelope.payload = Data([0xFF, 0xFF])
        let tree = DecodedJSON.envelope(envelope)
        #expect(tree["payload"] as? String == Data([0xFF, 0xFF]).base64EncodedString())
    }
}
