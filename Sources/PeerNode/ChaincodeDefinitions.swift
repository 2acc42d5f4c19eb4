import FabnetClient
import FabnetWire
import Foundation
import Ledger

/// Chaincode definitions as a channel holds them: `WireChaincodeDefinition`s under the
/// chaincode's name in fabnet's lifecycle namespace, written by `fabnet chaincode deploy`.
///
/// Guarantees: `all` lists every definition that decodes, sorted by name, with the version
/// (block, transaction) that wrote it; a value that does not decode is left out (it could only
/// come from a transaction that was not a deployment).
public enum ChaincodeDefinitions {
    public static func all(in state: WorldState) -> [(name: String, definition: WireChaincodeDefinition, version: Version)] {
        state.range(ChaincodeLifecycle.namespace, from: "", to: "").compactMap { key, value in
            guard let definition = try? WireChaincodeDefinition(serializedBytes: value.value), definition.name == key else { return nil }
            return (key, definition, value.version)
        }
    }

    /// The definition of `name` in force in `state`, or `nil`.
    public static func definition(of name: String, in state: WorldState) -> WireChaincodeDefinition? {
        guard let value = state[ChaincodeLifecycle.namespace, name],
              let definition = try? WireChaincodeDefinition(serializedBytes: value.value), definition.name == name else { return nil }
        return definition
    }
}
