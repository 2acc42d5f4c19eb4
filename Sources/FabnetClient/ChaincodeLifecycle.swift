import FabnetCrypto
import FabnetWire
import FabricPolicy
import Foundation

/// How fabnet defines a chaincode on a channel: a `WireChaincodeDefinition` written under the
/// chaincode's name in the lifecycle namespace by an admin-signed transaction, so every peer
/// reads the same definitions from its own ledger, block by block.
///
/// Guarantees: `definition` accepts a policy written as a channel policy path
/// (`/Channel/Application/Endorsement`, the default) or as configtx's signature rule
/// (`AND('Org1MSP.peer','Org2MSP.peer')`), refusing anything else with the parser's reason; the
/// transaction is an unendorsed endorser transaction of the admin (its read-write set writes the
/// one key), so it is ordered and committed as any other.
public enum ChaincodeLifecycle {
    /// fabnet's own namespace for chaincode definitions.
    public static let namespace = "_fabnet_lifecycle"
    /// The policy a definition gets when the deployer names none: the channel's Application
    /// `Endorsement`, as Fabric's lifecycle defaults to.
    public static let defaultPolicy = "/Channel/Application/Endorsement"

    /// Why a definition could not be made.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// The definition of `name` at `version` and `sequence` with `policy` (a path or a rule).
    public static func definition(name: String, version: String, sequence: UInt64, policy: String?) throws -> WireChaincodeDefinition {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }), !name.hasPrefix("_") else {
            throw Problem(description: "'\(name)' is not a chaincode name: use letters, digits, '_', '-' and '.', not starting with '_'")
        }
        var definition = WireChaincodeDefinition()
        definition.name = name
        definition.version = version
        definition.sequence = sequence
        let text = policy ?? defaultPolicy
        definition.policyText = text
        if text.hasPrefix("/") {
            definition.channelPolicy = text
        } else {
            do {
                definition.signaturePolicy = try SignaturePolicyRule.parse(text).serializedBytes()
            } catch {
                throw Problem(description: "--policy \(text): \(error); write a rule such as \"AND('Org1MSP.peer','Org2MSP.peer')\" or a channel policy path such as \(defaultPolicy)")
            }
        }
        return definition
    }

    /// The transaction that commits `definition` on `channel`, signed by `admin`.
    public static func transaction(_ definition: WireChaincodeDefinition, channel: String, admin: SigningIdentity) throws -> (envelope: WireEnvelope, txID: String) {
        try TransactionBuilder.make(channel: channel, namespace: namespace, writes: [(definition.name, try definition.serializedBytes())],
                                    creator: admin)
    }
}
