import Foundation
import SwiftProtobuf

/// Blocks and envelopes as proto3 JSON with the nested encoded messages decoded in place, the
/// way `configtxlator proto_decode --type common.Block` shows them: an envelope's payload, its
/// headers, the creator identity, the transaction's actions down to the read-write sets, the
/// endorsements, and a CONFIG transaction's configuration tree with its values and policies.
///
/// Guarantees: field names are the proto names (`channel_header`, `tx_id`), 64-bit integers are
/// strings and bytes base64, as proto3 JSON has them; a field that holds bytes of a known type
/// is replaced by that message's JSON when it decodes, and stays base64 when it does not (so
/// nothing is lost); the output is deterministic (keys sorted).
public enum DecodedJSON {
    public typealias Object = [String: Any]

    /// `block` as a JSON object tree.
    public static func block(_ block: Common_Block) -> Object {
        var result = object(block)
        var data = result["data"] as? Object ?? [:]
        data["data"] = block.data.data.map { entry -> Any in
            (try? Common_Envelope(serializedBytes: entry)).map(envelope) ?? entry.base64EncodedString()
        }
        result["data"] = data
        var metadata = result["metadata"] as? Object ?? [:]
        metadata["metadata"] = block.metadata.metadata.enumerated().map { index, slot -> Any in
            switch index {
            case Int(Common_BlockMetadataIndex.signatures.rawValue):
                return decoded(slot) { try signaturesMetadata(Common_Metadata(serializedBytes: $0), value: { try object(Common_OrdererBlockMetadata(serializedBytes: $0)) }) }
            case Int(Common_BlockMetadataIndex.lastConfig.rawValue):
                return decoded(slot) { try signaturesMetadata(Common_Metadata(serializedBytes: $0), value: { try object(Common_LastConfig(serializedBytes: $0)) }) }
            default:
                return slot.base64EncodedString()
            }
        }
        result["metadata"] = metadata
        return result
    }

    /// An envelope with its payload decoded.
    public static func envelope(_ envelope: Common_Envelope) -> Object {
        var result = object(envelope)
        result["payload"] = decoded(envelope.payload) { try payload(Common_Payload(serializedBytes: $0)) }
        return result
    }

    /// Pretty JSON text with sorted keys.
    public static func render(_ tree: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: tree, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func payload(_ payload: Common_Payload) throws -> Object {
        var result = object(payload)
        var header = object(payload.header)
        let channelHeader = try Common_ChannelHeader(serializedBytes: payload.header.channelHeader)
        var channelHeaderObject = object(channelHeader)
        let type = Common_HeaderType(rawValue: Int(channelHeader.type))
        if type == .endorserTransaction {
            channelHeaderObject["extension"] = decoded(channelHeader.extension) { try object(Protos_ChaincodeHeaderExtension(serializedBytes: $0)) }
        }
        header["channel_header"] = channelHeaderObject
        header["signature_header"] = decoded(payload.header.signatureHeader) { try signatureHeader(Common_SignatureHeader(serializedBytes: $0)) }
        result["header"] = header
        switch type {
        case .endorserTransaction?:
            result["data"] = decoded(payload.data) { try transaction(Protos_Transaction(serializedBytes: $0)) }
        case .config?:
            result["data"] = decoded(payload.data) { try configEnvelope(Common_ConfigEnvelope(serializedBytes: $0)) }
        default:
            break
        }
        return result
    }

    static func signatureHeader(_ header: Common_SignatureHeader) -> Object {
        var result = object(header)
        result["creator"] = decoded(header.creator) { try object(Msp_SerializedIdentity(serializedBytes: $0)) }
        return result
    }

    static func signaturesMetadata(_ metadata: Common_Metadata, value: (Data) throws -> Object) -> Object {
        var result = object(metadata)
        result["value"] = decoded(metadata.value, value)
        result["signatures"] = metadata.signatures.map { signature -> Any in
            var entry = object(signature)
            entry["signature_header"] = decoded(signature.signatureHeader) { try signatureHeader(Common_SignatureHeader(serializedBytes: $0)) }
            return entry
        }
        return result
    }

    static func transaction(_ transaction: Protos_Transaction) -> Object {
        var result = object(transaction)
        result["actions"] = transaction.actions.map { action -> Any in
            var entry = object(action)
            entry["header"] = decoded(action.header) { try signatureHeader(Common_SignatureHeader(serializedBytes: $0)) }
            entry["payload"] = decoded(action.payload) { try actionPayload(Protos_ChaincodeActionPayload(serializedBytes: $0)) }
            return entry
        }
        return result
    }

    static func actionPayload(_ payload: Protos_ChaincodeActionPayload) throws -> Object {
        var result = object(payload)
        result["chaincode_proposal_payload"] = decoded(payload.chaincodeProposalPayload) { bytes in
            let proposal = try Protos_ChaincodeProposalPayload(serializedBytes: bytes)
            var entry = object(proposal)
            entry["input"] = decoded(proposal.input) { try object(Protos_ChaincodeInvocationSpec(serializedBytes: $0)) }
            return entry
        }
        var action = object(payload.action)
        action["proposal_response_payload"] = decoded(payload.action.proposalResponsePayload) { bytes in
            let response = try Protos_ProposalResponsePayload(serializedBytes: bytes)
            var entry = object(response)
            entry["extension"] = decoded(response.extension) { try chaincodeAction(Protos_ChaincodeAction(serializedBytes: $0)) }
            return entry
        }
        action["endorsements"] = payload.action.endorsements.map { endorsement -> Any in
            var entry = object(endorsement)
            entry["endorser"] = decoded(endorsement.endorser) { try object(Msp_SerializedIdentity(serializedBytes: $0)) }
            return entry
        }
        result["action"] = action
        return result
    }

    static func chaincodeAction(_ action: Protos_ChaincodeAction) throws -> Object {
        var result = object(action)
        result["results"] = decoded(action.results) { bytes in
            let set = try Rwset_TxReadWriteSet(serializedBytes: bytes)
            var entry = object(set)
            entry["ns_rwset"] = set.nsRwset.map { namespace -> Any in
                var item = object(namespace)
                item["rwset"] = decoded(namespace.rwset) { try object(Kvrwset_KVRWSet(serializedBytes: $0)) }
                return item
            }
            return entry
        }
        result["events"] = decoded(action.events) { try object(Protos_ChaincodeEvent(serializedBytes: $0)) }
        return result
    }

    // MARK: helpers

    /// `message` as proto3 JSON (proto field names), as an object tree.
    static func object(_ message: some SwiftProtobuf.Message) -> Object {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        guard let data = try? message.jsonUTF8Data(options: options),
              let tree = try? JSONSerialization.jsonObject(with: data) as? Object else { return [:] }
        return tree
    }

    /// `decode(bytes)`, or the bytes as base64 when they are empty or do not decode.
    static func decoded(_ bytes: Data, _ decode: (Data) throws -> Any) -> Any {
        guard !bytes.isEmpty, let value = try? decode(bytes) else { return bytes.base64EncodedString() }
        return value
    }
}
