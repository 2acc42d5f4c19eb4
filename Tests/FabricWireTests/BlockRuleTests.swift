import Foundation
import SwiftProtobuf
import Testing
@testable import FabricWire

/// Fabric's block rules (header bytes and hash, data hash, the well-formedness guard, tx ids,
/// envelope checks) against bytes made by Hyperledger's protos and OpenSSL's DER encoder.
@Suite struct BlockRuleTests {
    @Test(arguments: ["headerZero", "headerHighBit", "headerLarge"])
    func headerBytesAreOpenSSLsDEREncoding(name: String) throws {
        let vector = try FabricVectors.vector(name)
        let header = try Common_BlockHeader(serializedBytes: vector.bytes)
        #expect(FabricVectors.hex(BlockHeaderBytes.encode(header)) == (try vector.value("derHex", as: String.self)))
        #expect(FabricVectors.hex(BlockHeaderBytes.hash(header)) == (try vector.value("hashHex", as: String.self)))
    }

    @Test func dataHashIsTheOfficialBlocksHeaderValue() throws {
        let block = try Common_Block(serializedBytes: try FabricVectors.vector("block").bytes)
        #expect(BlockDataRules.dataHash(block.data.data) == block.header.dataHash)
        #expect(BlockDataRules.wellFormedProblem(block.data.data) == nil)
    }

    @Test func crossLinkedEntriesAreRefusedThoughTheyHashTheSame() throws {
        // CVE-2023-46132: split one envelope's bytes across two entries; the concatenation, and
        // so the data hash, is unchanged, but neither entry is a canonical envelope on its own.
        let envelope = try FabricVectors.vector("envelope").bytes
        let original = [Data(envelope)]
        let split = [Data(envelope[0..<10]), Data(envelope[10...])]
        #expect(BlockDataRules.dataHash(split) == BlockDataRules.dataHash(original))
        #expect(BlockDataRules.wellFormedProblem(split) != nil)
    }

    @Test func trailingBytesAndMissingSignaturesAreRefused() throws {
        let envelope = Data(try FabricVectors.vector("envelope").bytes)
        #expect(BlockDataRules.wellFormedProblem([envelope + Data([0x0A, 0x00])])?.contains("transaction 0") == true)
        var unsigned = try Common_Envelope(serializedBytes: envelope)
        unsigned.signature = Data()
        #expect(BlockDataRules.wellFormedProblem([try unsigned.serializedBytes()]) == "transaction 0 has no signature")
        #expect(BlockDataRules.wellFormedProblem([]) != nil)
    }

    @Test func envelopeViewRecomputesTheOfficialTxID() throws {
        let vector = try FabricVectors.vector("envelope")
        let view = try EnvelopeView.open(Data(vector.bytes))
        #expect(view.txID == (try vector.value("txId", as: String.self)))
        #expect(view.creator.mspid == "Org1MSP")
        try view.checkHeader(channel: "mychannel")
        #expect(throws: EnvelopeView.Problem.self) { try view.checkHeader(channel: "other") }
        let sets = try EndorserTransaction.rwset(of: view)
        #expect(sets.map(\.namespace) == ["basic"])
        #expect(sets[0].set.writes.map(\.key) == ["asset1", "asset9"])
    }

    @Test func brokenLayersGetFabricsCodes() throws {
        func code(_ bytes: Data) -> Protos_TxValidationCode? {
            do { _ = try EnvelopeView.open(bytes); return nil } catch { return error.code }
        }
        #expect(code(Data([0xFF, 0xFF, 0xFF])) == .nilEnvelope)
        var envelope = Common_Envelope()
        envelope.signature = Data([1])
        #expect(code(try envelope.serializedBytes()) == .badPayload)
        var payload = Common_Payload()
        payload.header.channelHeader = Data([0xFF, 0xFF])
        envelope.payload = try payload.serializedBytes()
        #expect(code(try envelope.serializedBytes()) == .badCommonHeader)
    }

    @Test func unendorsedTransactionOpensWithSortedWritesAndItsTxID() throws {
        let creator = try Msp_SerializedIdentity.with { $0.mspid = "Org1MSP"; $0.idBytes = Data("cert".utf8) }.serializedBytes() as Data
        let nonce = Data(repeating: 7, count: 24)
        let made = try UnendorsedTransaction.payload(
            channel: "mychannel", namespace: "fabnet", arguments: [Data("put".utf8)],
            writes: [("b", Data("2".utf8)), ("a", nil)], creator: creator, nonce: nonce, timestamp: Date(timeIntervalSince1970: 1))
        var envelope = Common_Envelope()
        envelope.payload = made.payload
        envelope.signature = Data([0x30])
        let view = try EnvelopeView.open(envelope)
        try view.checkHeader(channel: "mychannel")
        #expect(view.txID == made.txID)
        #expect(made.txID == FabricTransactionID.make(nonce: nonce, creator: creator))
        let writes = try EndorserTransaction.rwset(of: view)[0].set.writes
        #expect(writes.map(\.key) == ["a", "b"])
        #expect(writes.map(\.isDelete) == [true, false])
    }

    @Test func metadataLayoutKeepsCutTimeAndFlags() throws {
        var block = Common_Block()
        block.metadata = BlockMetadataLayout.empty
        #expect(block.metadata.metadata.count == 5)
        var value = Common_OrdererBlockMetadata()
        value.consenterMetadata = try Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: 1_800_000_000)).serializedBytes()
        var signatures = Common_Metadata()
        signatures.value = try value.serializedBytes()
        block.metadata.metadata[0] = try signatures.serializedBytes()
        #expect(BlockMetadataLayout.cutTime(of: block) == Date(timeIntervalSince1970: 1_800_000_000))
        BlockMetadataLayout.setTransactionsFilter([.valid, .duplicateTxid], in: &block)
        #expect(BlockMetadataLayout.transactionsFilter(of: block) == [0, 9])
    }
}
