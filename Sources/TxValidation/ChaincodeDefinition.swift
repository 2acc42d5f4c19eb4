import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf

/// A chaincode as the channel defines it: its name (the namespace it writes), its version and
/// the endorsement policy every transaction writing its namespace must satisfy.
///
/// Guarantees: `encoded()` is deterministic (the same definition always gives the same bytes,
/// JSON with sorted keys and the policy as a serialized `common.ApplicationPolicy` in base64),
/// and `decode(_:)` accepts exactly what `encoded()` can produce for a valid definition: a
/// non-empty name and version and a policy that is a signature policy or a channel policy path.
public struct ChaincodeDefinition: Sendable, Hashable {
    public var name: String
    public var version: String
    public var policy: EndorsementPolicy

    public init(name: String, version: String, policy: EndorsementPolicy) {
        self.name = name
        self.version = version
        self.policy = policy
    }

    /// The state value a lifecycle transaction writes for this definition.
    public func encoded() -> Data {
        var application = Common_ApplicationPolicy()
        switch policy {
        case .signature(let envelope): application.signaturePolicy = envelope
        case .channelPolicy(let path): application.channelConfigPolicyReference = path
        }
        // Serializing a message this module built cannot fail.
        let policyBytes: Data = (try? application.serializedBytes()) ?? Data()
        let stored = Stored(name: name, version: version, endorsementPolicy: policyBytes.base64EncodedString())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(stored)) ?? Data()
    }

    /// The definition a lifecycle value holds, or why it holds none.
    public static func decode(_ value: Data) -> Result<ChaincodeDefinition, DefinitionProblem> {
        guard let stored = try? JSONDecoder().decode(Stored.self, from: value) else {
            return .failure(DefinitionProblem("is not a JSON chaincode definition with name, version and endorsementPolicy"))
        }
        guard !stored.name.isEmpty else { return .failure(DefinitionProblem("has an empty name")) }
        guard !stored.version.isEmpty else { return .failure(DefinitionProblem("of '\(stored.name)' has an empty version")) }
        guard let policyBytes = Data(base64Encoded: stored.endorsementPolicy),
              let application = try? Common_ApplicationPolicy(serializedBytes: policyBytes) else {
            return .failure(DefinitionProblem("of '\(stored.name)' has an endorsementPolicy that is not a base64 common.ApplicationPolicy"))
        }
        switch application.type {
        case .signaturePolicy(let envelope):
            return .success(ChaincodeDefinition(name: stored.name, version: stored.version, policy: .signature(envelope)))
        case .channelConfigPolicyReference(let path) where !path.isEmpty:
            return .success(ChaincodeDefinition(name: stored.name, version: stored.version, policy: .channelPolicy(path)))
        default:
            return .failure(DefinitionProblem("of '\(stored.name)' names no endorsement policy"))
        }
    }

    private struct Stored: Codable {
        var name: String
        var version: String
        var endorsementPolicy: String
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
