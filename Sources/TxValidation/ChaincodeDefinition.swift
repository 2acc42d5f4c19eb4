import FabnetWire
import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf

/// A chaincode as the channel defines it: its name (the namespace it writes), its version, the
/// sequence of this definition among those of its name, and the endorsement policy every
/// transaction invoking it or writing its namespace must satisfy.
///
/// Guarantees: the stored form is `fabnet chaincode deploy`'s, a `WireChaincodeDefinition`
/// (FabnetWire) under the chaincode's name in the lifecycle namespace; `encoded()` is
/// deterministic, and `decode(_:)` accepts exactly the values that name a chaincode, a version,
/// a sequence of at least 1 and a policy: a signature policy that decodes, or a channel policy
/// path.
public struct ChaincodeDefinition: Sendable, Hashable {
    public var name: String
    public var version: String
    public var sequence: UInt64
    public var policy: EndorsementPolicy

    public init(name: String, version: String, sequence: UInt64 = 1, policy: EndorsementPolicy) {
        self.name = name
        self.version = version
        self.sequence = sequence
        self.policy = policy
    }

    /// The state value a lifecycle transaction writes for this definition.
    public func encoded() -> Data {
        var wire = WireChaincodeDefinition()
        wire.name = name
        wire.version = version
        wire.sequence = sequence
        switch policy {
        case .signature(let envelope):
            // Serializing a message this module built cannot fail.
            wire.signaturePolicy = (try? envelope.serializedBytes()) ?? Data()
        case .channelPolicy(let path):
            wire.channelPolicy = path
        }
        wire.policyText = policy.description
        return (try? wire.serializedBytes()) ?? Data()
    }

    /// The definition a lifecycle value holds, or why it holds none.
    public static func decode(_ value: Data) -> Result<ChaincodeDefinition, DefinitionProblem> {
        guard let wire = try? WireChaincodeDefinition(serializedBytes: value) else {
            return .failure(DefinitionProblem("is not a fabnet.wire.ChaincodeDefinition"))
        }
        guard !wire.name.isEmpty else { return .failure(DefinitionProblem("has an empty name")) }
        guard !wire.version.isEmpty else { return .failure(DefinitionProblem("of '\(wire.name)' has an empty version")) }
        guard wire.sequence >= 1 else { return .failure(DefinitionProblem("of '\(wire.name)' has sequence 0; sequences start at 1")) }
        switch wire.endorsementPolicy {
        case .signaturePolicy(let bytes)?:
            guard let envelope = try? Common_SignaturePolicyEnvelope(serializedBytes: bytes), envelope.hasRule else {
                return .failure(DefinitionProblem("of '\(wire.name)' has a signature policy that is not a SignaturePolicyEnvelope with a rule"))
            }
            return .success(ChaincodeDefinition(name: wire.name, version: wire.version, sequence: wire.sequence, policy: .signature(envelope)))
        case .channelPolicy(let path)? where !path.isEmpty:
            return .success(ChaincodeDefinition(name: wire.name, version: wire.version, sequence: wire.sequence, policy: .channelPolicy(path)))
        default:
            return .failure(DefinitionProblem("of '\(wire.name)' names no endorsement policy"))
        }
    }
}

/// A chaincode's endorsement policy: a signature policy of its own (`AND('Org1MSP.peer',
/// 'Org2MSP.peer')`, parsed by `SignaturePolicyRule`), or a path to one of the channel's
/// policies (`/Channel/Application/Endorsement`, Fabric's default), evaluated by
/// `PolicyEvaluator` with the channel's configuration in force.
public enum EndorsementPolicy: Sendable, Hashable, CustomStringConvertible {
    case signature(Common_SignaturePolicyEnvelope)
    case channelPolicy(String)

    /// Fabric's default: the channel's Application `Endorsement` policy.
    public static let channelDefault = EndorsementPolicy.channelPolicy("/Channel/Application/Endorsement")

    /// One admin of any of `organizations`: `OR('Org1MSP.admin', …)`, orgs sorted.
    public static func anyAdmin(of organizations: Set<String>) -> EndorsementPolicy {
        let sorted = organizations.sorted()
        var envelope = Common_SignaturePolicyEnvelope()
        envelope.identities = sorted.map { SignaturePolicyRule.principal(mspID: $0, role: .admin) }
        envelope.rule.nOutOf.n = 1
        envelope.rule.nOutOf.rules = sorted.indices.map { index in
            var rule = Common_SignaturePolicy()
            rule.signedBy = Int32(index)
            return rule
        }
        return .signature(envelope)
    }

    public var description: String {
        switch self {
        case .signature(let envelope): SignaturePolicyText.text(of: envelope)
        case .channelPolicy(let path): path
        }
    }
}

/// Why a lifecycle value is not a chaincode definition; `description` completes "the definition …".
public struct DefinitionProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public let problem: String
    init(_ problem: String) { self.problem = problem }
    public var description: String { "the definition \(problem)" }
}
