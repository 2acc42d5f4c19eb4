import Foundation
import SwiftProtobuf

extension DecodedJSON {
    /// A configuration envelope with its tree decoded: every group's values by their key (MSP,
    /// BatchSize, Capabilities, …) and every policy by its type, as configtxlator shows them.
    static func configEnvelope(_ envelope: Common_ConfigEnvelope) -> Object {
        var result = object(envelope)
        var config = object(envelope.config)
        config["channel_group"] = group(envelope.config.channelGroup)
        result["config"] = config
        return result
    }

    static func group(_ group: Common_ConfigGroup) -> Object {
        var result = object(group)
        result["groups"] = group.groups.mapValues { self.group($0) as Any }
        result["values"] = Dictionary(uniqueKeysWithValues: group.values.map { key, value -> (String, Any) in
            var entry = object(value)
            entry["value"] = decoded(value.value) { try configValue(key, $0) }
            return (key, entry)
        })
        result["policies"] = group.policies.mapValues { policy -> Any in
            var entry = object(policy)
            var inner = object(policy.policy)
            inner["value"] = decoded(policy.policy.value) { bytes -> Any in
                switch policy.policy.type {
                case Int32(Common_Policy.PolicyType.signature.rawValue): return try object(Common_SignaturePolicyEnvelope(serializedBytes: bytes))
                case Int32(Common_Policy.PolicyType.implicitMeta.rawValue): return try object(Common_ImplicitMetaPolicy(serializedBytes: bytes))
                default: throw DecodingError.unknownType
                }
            }
            entry["policy"] = inner
            return entry
        }
        return result
    }

    /// A config value by the key it is stored under.
    static func configValue(_ key: String, _ bytes: Data) throws -> Any {
        switch key {
        case "MSP":
            let msp = try Msp_MSPConfig(serializedBytes: bytes)
            var entry = object(msp)
            entry["config"] = decoded(msp.config) { try object(Msp_FabricMSPConfig(serializedBytes: $0)) }
            return entry
        case "BatchSize": return try object(Orderer_BatchSize(serializedBytes: bytes))
        case "BatchTimeout": return try object(Orderer_BatchTimeout(serializedBytes: bytes))
        case "ConsensusType": return try object(Orderer_ConsensusType(serializedBytes: bytes))
        case "Capabilities": return try object(Common_Capabilities(serializedBytes: bytes))
        case "HashingAlgorithm": return try object(Common_HashingAlgorithm(serializedBytes: bytes))
        case "BlockDataHashingStructure": return try object(Common_BlockDataHashingStructure(serializedBytes: bytes))
        case "OrdererAddresses", "Endpoints": return try object(Common_OrdererAddresses(serializedBytes: bytes))
        case "AnchorPeers": return try object(Protos_AnchorPeers(serializedBytes: bytes))
        case "Consortium": return try object(Common_Consortium(serializedBytes: bytes))
        default: throw DecodingError.unknownType
        }
    }

    enum DecodingError: Error { case unknownType }
}
