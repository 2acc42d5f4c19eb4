import Foundation
import SwiftProtobuf
import Testing
import FabricWire

/// Messages made by Hyperledger's own protos decode with FabricWire's types to the values the
/// generator put in, and re-encode to the very same bytes (Fabric signs and hashes bytes).
@Suite struct OfficialVectorTests {
    @Test func endorserTransactionEnvelopeDecodesLayerByLayer() throws {
        let vector = try FabricVectors.vector("envelope")
        let envelope = try Common_Envelope(serializedBytes: vector.bytes)
        #expect(try envelope.deterministicBytes() == vector.bytes)

        let payload = try Common_Payload(serializedBytes: envelope.payload)
        let channelHeader = try Common_ChannelHeader(serializedBytes: payload.header.channelHeader)
        #expect(channelHeader.type == Int32(try vector.value("headerType", as: Int.self)))
        #expect(channelHeader.type == Int32(Common_HeaderType.endorserTransaction.rawValue))
        #expect(channelHeader.channelID == (try vector.value("channelId", as: String.self)))
        #expect(channelHeader.txID == (try vector.value("txId", as: String.self)))
        #expect(channelHeader.timestamp.seconds == Int64(try vector.value("timestampSeconds", as: Int.self)))
        #expect(channelHeader.timestamp.nanos == Int32(try vector.value("timestampNanos", as: Int.self)))
        let headerExtension = try Protos_ChaincodeHeaderExtension(serializedBytes: channelHeader.extension)
        #expect(headerExtension.chaincodeID.name == (try vector.value("chaincodeName", as: String.self)))

        let signatureHeader = try Common_SignatureHeader(serializedBytes: payload.header.signatureHeader)
        let creator = try Msp_SerializedIdentity(serializedBytes: signatureHeader.creator)
        #expect(creator.mspid == (try vector.value("creatorMspId", as: String.self)))
        #expect(FabricVectors.hex(signatureHeader.nonce) == (try vector.value("nonceHex", as: String.self)))

        let transaction = try Protos_Transaction(serializedBytes: payload.data)
        let action = try #require(transaction.actions.first)
        #expect(transaction.actions.count == 1)
        #expect(action.header == payload.header.signatureHeader)
        let actionPayload = try Protos_ChaincodeActionPayload(serializedBytes: action.payload)
        #expect(actionPayload.action.endorsements.count == (try vector.value("endorsements", as: Int.self)))

        let proposalPayload = try Protos_ChaincodeProposalPayload(serializedBytes: actionPayload.chaincodeProposalPayload)
        let invocation = try Protos_ChaincodeInvocationSpec(serializedBytes: proposalPayload.input)
        #expect(invocation.chaincodeSpec.type == .golang)
        #expect(invocation.chaincodeSpec.input.args.map { String(decoding: $0, as: UTF8.self) }
            == (try vector.value("args", as: [String].self)))
    }

    @Test func readWriteSetInsideTheEndorsedActionDecodes() throws {
        let vector = try FabricVectors.vector("envelope")
        let envelope = try Common_Envelope(serializedBytes: vector.bytes)
        let payload = try Common_Payload(serializedBytes: envelope.payload)
        let transaction = try Protos_Transaction(serializedBytes: payload.data)
        let actionPayload = try Protos_ChaincodeActionPayload(serializedBytes: transaction.actions[0].payload)
        let responsePayload = try Protos_ProposalResponsePayload(
            serializedBytes: actionPayload.action.proposalResponsePayload)
        let chaincodeAction = try Protos_ChaincodeAction(serializedBytes: responsePayload.extension)
        #expect(chaincodeAction.response.status == Int32(try vector.value("responseStatus", as: Int.self)))
        #expect(chaincodeAction.chaincodeID.version == "1.0")

        let results = try Rwset_TxReadWriteSet(serializedBytes: chaincodeAction.results)
        #expect(results.dataModel == .kv)
        let namespace = try #require(results.nsRwset.first)
        #expect(namespace.namespace == (try vector.value("namespace", as: String.self)))
        let kv = try Kvrwset_KVRWSet(serializedBytes: namespace.rwset)
        let read = try #require(kv.reads.first)
        #expect(read.key == (try vector.value("readKey", as: String.self)))
        #expect([read.version.blockNum, read.version.txNum].map(Int.init) == (try vector.value("readVersion", as: [Int].self)))
        let expectedWrites = try vector.value("writes", as: [[Any]].self)
        #expect(kv.writes.count == expectedWrites.count)
        for (write, expected) in zip(kv.writes, expectedWrites) {
            #expect(write.key == expected[0] as? String)
            #expect(write.isDelete == expected[1] as? Bool)
            #expect(String(decoding: write.value, as: UTF8.self) == expected[2] as? String)
        }
    }

    @Test func blockDecodesWithHeaderMetadataAndFlags() throws {
        let vector = try FabricVectors.vector("block")
        let block = try Common_Block(serializedBytes: vector.bytes)
        #expect(try block.deterministicBytes() == vector.bytes)

        #expect(block.header.number == UInt64(try vector.value("number", as: Int.self)))
        #expect(FabricVectors.hex(block.header.previousHash) == (try vector.value("previousHashHex", as: String.self)))
        #expect(FabricVectors.hex(block.header.dataHash) == (try vector.value("dataHashHex", as: String.self)))
        #expect(block.data.data.count == (try vector.value("transactions", as: Int.self)))
        #expect(block.metadata.metadata.count == (try vector.value("metadataEntries", as: Int.self)))

        let signatures = try Common_Metadata(
            serializedBytes: block.metadata.metadata[Common_BlockMetadataIndex.signatures.rawValue])
        #expect(signatures.signatures.count == (try vector.value("signatures", as: Int.self)))
        let ordererMetadata = try Common_OrdererBlockMetadata(serializedBytes: signatures.value)
        #expect(ordererMetadata.lastConfig.index == 0)
        #expect(String(decoding: ordererMetadata.consenterMetadata, as: UTF8.self)
            == (try vector.value("consenterMetadata", as: String.self)))
        let flags = block.metadata.metadata[Common_BlockMetadataIndex.transactionsFilter.rawValue]
        #expect(FabricVectors.hex(flags) == (try vector.value("flagsHex", as: String.self)))
        #expect(flags.first.map(Int.init) == Protos_TxValidationCode.valid.rawValue)

        // The block's first transaction is the envelope vector, byte for byte.
        #expect(Array(block.data.data[0]) == (try FabricVectors.vector("envelope").bytes))
    }

    @Test func genesisConfigTreeDecodesThroughItsMapsAndValues() throws {
        let vector = try FabricVectors.vector("configEnvelope")
        let envelope = try Common_ConfigEnvelope(serializedBytes: vector.bytes)
        #expect(try envelope.deterministicBytes() == vector.bytes)

        let channel = envelope.config.channelGroup
        #expect(channel.groups.keys.sorted() == (try vector.value("groups", as: [String].self)))
        #expect(channel.values.keys.sorted() == (try vector.value("values", as: [String].self)))
        let application = try #require(channel.groups["Application"])
        #expect(application.groups.keys.sorted() == (try vector.value("orgs", as: [String].self)))

        let mspValue = try #require(application.groups["Org1MSP"]?.values["MSP"])
        #expect(mspValue.modPolicy == "Admins")
        let msp = try Msp_MSPConfig(serializedBytes: mspValue.value)
        #expect(msp.type == 0)
        let fabricMSP = try Msp_FabricMSPConfig(serializedBytes: msp.config)
        #expect(fabricMSP.name == (try vector.value("mspName", as: String.self)))
        #expect(fabricMSP.fabricNodeOus.enable == (try vector.value("nodeOUsEnabled", as: Bool.self)))
        #expect(fabricMSP.fabricNodeOus.peerOuIdentifier.organizationalUnitIdentifier == "peer")
        #expect(fabricMSP.cryptoConfig.signatureHashFamily == "SHA2")

        let endorsement = try #require(application.policies["Endorsement"]?.policy)
        #expect(endorsement.type == Int32(Common_Policy.PolicyType.implicitMeta.rawValue))
        let rule = try Common_ImplicitMetaPolicy(serializedBytes: endorsement.value)
        #expect(rule.subPolicy == "Endorsement")
        #expect(rule.rule.rawValue == (try vector.value("endorsementRule", as: Int.self)))

        let orderer = try #require(channel.groups["Orderer"])
        let batchSize = try Orderer_BatchSize(serializedBytes: try #require(orderer.values["BatchSize"]).value)
        #expect(Int(batchSize.maxMessageCount) == (try vector.value("maxMessageCount", as: Int.self)))
        let timeout = try Orderer_BatchTimeout(serializedBytes: try #require(orderer.values["BatchTimeout"]).value)
        #expect(timeout.timeout == (try vector.value("batchTimeout", as: String.self)))
        let capabilities = try Common_Capabilities(
            serializedBytes: try #require(channel.values["Capabilities"]).value)
        #expect(capabilities.capabilities.keys.sorted() == (try vector.value("capabilities", as: [String].self)))
    }

    @Test func seekInfoDecodesItsOneofPositions() throws {
        let vector = try FabricVectors.vector("seekInfo")
        let info = try Orderer_SeekInfo(serializedBytes: vector.bytes)
        #expect(try info.deterministicBytes() == vector.bytes)
        guard case .specified(let start) = info.start.type else {
            Issue.record("start is \(String(describing: info.start.type)), not specified")
            return
        }
        #expect(Int(start.number) == (try vector.value("startNumber", as: Int.self)))
        guard case .newest = info.stop.type else {
            Issue.record("stop is \(String(describing: info.stop.type)), not newest")
            return
        }
        #expect(info.behavior == .failIfNotReady)
        #expect(info.behavior.rawValue == (try vector.value("behavior", as: Int.self)))
    }

    @Test func chaincodeShimMessageDecodesWithItsRangeQuery() throws {
        let vector = try FabricVectors.vector("chaincodeMessage")
        let message = try Protos_ChaincodeMessage(serializedBytes: vector.bytes)
        #expect(try message.deterministicBytes() == vector.bytes)
        #expect(message.type == .getStateByRange)
        #expect(message.type.rawValue == (try vector.value("type", as: Int.self)))
        #expect(message.txid == (try vector.value("txid", as: String.self)))
        #expect(message.channelID == (try vector.value("channelId", as: String.self)))
        let query = try Protos_GetStateByRange(serializedBytes: message.payload)
        #expect(query.startKey == (try vector.value("startKey", as: String.self)))
        #expect(query.endKey.isEmpty)
        let paging = try Protos_QueryMetadata(serializedBytes: query.metadata)
        #expect(Int(paging.pageSize) == (try vector.value("pageSize", as: Int.self)))
    }

    @Test func gatewayCommitStatusRequestDecodes() throws {
        let vector = try FabricVectors.vector("signedCommitStatusRequest")
        let signed = try Gateway_SignedCommitStatusRequest(serializedBytes: vector.bytes)
        #expect(try signed.deterministicBytes() == vector.bytes)
        let request = try Gateway_CommitStatusRequest(serializedBytes: signed.request)
        #expect(request.transactionID == (try vector.value("transactionId", as: String.self)))
        #expect(request.channelID == (try vector.value("channelId", as: String.self)))
        let identity = try Msp_SerializedIdentity(serializedBytes: request.identity)
        #expect(identity.mspid == (try vector.value("creatorMspId", as: String.self)))
    }
}
