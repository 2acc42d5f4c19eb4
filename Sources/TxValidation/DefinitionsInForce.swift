import FabricWire
import Foundation
import Ledger

/// The chaincode definitions in force on a channel, by name, as its lifecycle namespace holds
/// them: under each chaincode's name in namespace `_fabnet_lifecycle`, the value
/// `ChaincodeDefinition.encoded()` (what `fabnet chaincode deploy` writes).
///
/// Guarantees: `init(state:)` and `apply(_:)` read only that namespace; a value there that is not
/// a definition of the key's name is skipped (no VALID transaction can have written one, see
/// `LifecycleWrites`); a deleted key removes its definition. Keeping a table and applying each
/// committed block's VALID effects gives the same table as reading the state after that block.
public struct DefinitionsInForce: Sendable, Equatable {
    /// fabnet's own lifecycle namespace (FabnetClient's `ChaincodeLifecycle.namespace`). Not
    /// Fabric's `_lifecycle`, whose approve/commit flow fabnet does not run.
    public static let namespace = "_fabnet_lifecycle"

    private var byName: [String: ChaincodeDefinition]

    public init(_ definitions: [ChaincodeDefinition] = []) {
        byName = Dictionary(definitions.map { ($0.name, $0) }) { _, last in last }
    }

    /// The definitions committed in `state`.
    public init(state: WorldState) {
        self.init(state.range(Self.namespace, from: "", to: "").compactMap { entry in
            guard case .success(let definition) = ChaincodeDefinition.decode(entry.value.value), definition.name == entry.key else {
                return nil
            }
            return definition
        })
    }

    public subscript(name: String) -> ChaincodeDefinition? { byName[name] }

    /// Every definition, sorted by name.
    public var all: [ChaincodeDefinition] { byName.values.sorted { $0.name < $1.name } }

    /// Applies the lifecycle writes of a committed block's VALID transactions, in order.
    public mutating func apply(_ effects: [TransactionEffect]) {
        for effect in effects where effect.code == .valid { apply(effect.writes) }
    }

    /// Applies one VALID transaction's lifecycle writes.
    mutating func apply(_ namespaces: [EndorserTransaction.NamespaceSet]) {
        for namespace in namespaces where namespace.namespace == Self.namespace {
            for write in namespace.set.writes { apply(write) }
        }
    }

    mutating func apply(_ write: Kvrwset_KVWrite) {
        if write.isDelete {
            byName[write.key] = nil
        } else if case .success(let definition) = ChaincodeDefinition.decode(write.value), definition.name == write.key {
            byName[write.key] = definition
        }
    }
}
