import FabricWire
import Foundation

/// What a transaction may write in the lifecycle namespace: only chaincode definitions, each
/// the next of its name.
///
/// Guarantees: `problem(in:definitions:)` is `nil` exactly when every write, in order, either
/// deletes a definition (its chaincode is no longer defined) or stores under a chaincode name
/// (letters, digits, `_ - .`, not starting with `_`, as `fabnet chaincode deploy` allows) a
/// definition of that same name whose sequence is one more than the definition in force (1 for
/// a new name; earlier writes of the same transaction and block count). Otherwise the
/// transaction is INVALID_WRITESET, naming the first offending key and why.
enum LifecycleWrites {
    static func problem(in set: Kvrwset_KVRWSet, definitions: DefinitionsInForce) -> TransactionVerdict? {
        var definitions = definitions
        for write in set.writes {
            func invalid(_ why: String) -> TransactionVerdict {
                TransactionVerdict(.invalidWriteset, "lifecycle key '\(write.key)': \(why)")
            }
            guard isChaincodeName(write.key) else {
                return invalid("not a chaincode name (letters, digits, _ - ., not starting with _)")
            }
            if !write.isDelete {
                switch ChaincodeDefinition.decode(write.value) {
                case .failure(let problem):
                    return invalid(problem.description)
                case .success(let definition):
                    guard definition.name == write.key else { return invalid("the definition names '\(definition.name)'") }
                    let next = (definitions[write.key]?.sequence ?? 0) + 1
                    guard definition.sequence == next else {
                        return invalid("sequence \(definition.sequence), but the next of '\(write.key)' is \(next)")
                    }
                }
            }
            definitions.apply(write)
        }
        return nil
    }

    /// The names `fabnet chaincode deploy` accepts.
    static func isChaincodeName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("_") && name.allSatisfy { $0.isLetter || $0.isNumber || "_-.".contains($0) }
    }
}
