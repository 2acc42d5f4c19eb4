import Foundation
import SwiftProtobuf

/// The metadata slots of a Fabric block and what fabnet writes in each.
///
/// Guarantees: a block made by `BlockMetadataLayout.empty` has Fabric's five slots; `signedBytes`
/// is what Fabric's orderer signs and its peers verify for a metadata signature
/// (`value ‖ signature_header ‖ BlockHeaderBytes`); the transactions filter is one
/// `TxValidationCode` byte per transaction, as Fabric's peers write it at commit.
public enum BlockMetadataLayout {
    /// Five empty slots (SIGNATURES, LAST_CONFIG, TRANSACTIONS_FILTER, ORDERER, COMMIT_HASH).
    public static var empty: Common_BlockMetadata {
        var metadata = Common_BlockMetadata()
        metadata.metadata = Array(repeating: Data(), count: 5)
        return metadata
    }

    /// The bytes a metadata signature covers.
    public static func signedBytes(value: Data, signatureHeader: Data, header: Common_BlockHeader) -> Data {
        value + signatureHeader + BlockHeaderBytes.encode(header)
    }

    /// The SIGNATURES slot decoded (empty when missing or undecodable).
    public static func signatures(of block: Common_Block) -> Common_Metadata? {
        let slots = block.metadata.metadata
        let index = Int(Common_BlockMetadataIndex.signatures.rawValue)
        guard slots.count > index else { return nil }
        return try? Common_Metadata(serializedBytes: slots[index])
    }

    /// The orderer's value in the SIGNATURES slot (last config, consenter metadata).
    public static func ordererMetadata(of block: Common_Block) -> Common_OrdererBlockMetadata? {
        guard let signatures = signatures(of: block) else { return nil }
        return try? Common_OrdererBlockMetadata(serializedBytes: signatures.value)
    }

    /// When the orderer cut the block: fabnet keeps it in the signed `consenter_metadata` as a
    /// `google.protobuf.Timestamp` (benchmarks measure from it); `nil` in blocks made elsewhere.
    public static func cutTime(of block: Common_Block) -> Date? {
        guard let value = ordererMetadata(of: block), !value.consenterMetadata.isEmpty,
              let stamp = try? Google_Protobuf_Timestamp(serializedBytes: value.consenterMetadata) else { return nil }
        return stamp.date
    }

    /// The TRANSACTIONS_FILTER slot: one validation code per transaction (empty until a peer
    /// committed the block).
    public static func transactionsFilter(of block: Common_Block) -> [UInt8] {
        let index = Int(Common_BlockMetadataIndex.transactionsFilter.rawValue)
        guard block.metadata.metadata.count > index else { return [] }
        return [UInt8](block.metadata.metadata[index])
    }

    /// Writes `codes` into the TRANSACTIONS_FILTER slot (adding the slots if missing).
    public static func setTransactionsFilter(_ codes: [Protos_TxValidationCode], in block: inout Common_Block) {
        let index = Int(Common_BlockMetadataIndex.transactionsFilter.rawValue)
        while block.metadata.metadata.count <= index { block.metadata.metadata.append(Data()) }
        block.metadata.metadata[index] = Data(codes.map { UInt8(truncatingIfNeeded: $0.rawValue) })
    }
}
