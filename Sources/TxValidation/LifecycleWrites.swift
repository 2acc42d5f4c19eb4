import FabricWire
import Foundation

/// What a transaction may write in the lifecycle namespace: only chaincode definitions.
///
/// Guarantees: `problem(in:)` is `nil` exactly when every write's key is
/// `definition/<name>` with a chaincode name as Fabric allows them (letters and digits, runs
/// joined by single `-` or `_`; not the lifecycle namespace's own name) and each write either
/// deletes the key (the chaincode is no longer defined) or stores a definition of that same
/// name whose version uses Fabric's version characters (letters, digits, `_ . + -`). Otherwise
/// the transaction is INVALID_WRITESET, with the first offending key named.
enum LifecycleWrites {
    static func problem(in set: Kvrwset_KVRWSet) -> TransactionVerdict? {
        for write in set.writes {
            func invalid(_ why: String) -> TransactionVerdict {
                TransactionVerdict(.invalidWriteset, "lifecycle key '\(write.key)': \(why)")
            }
            guard write.key.hasPrefix(ChaincodeDefinitions.keyPrefix) else {
                return invalid("only keys \(ChaincodeDefinitions.keyPrefix)<chaincode name> may be written in \(ChaincodeDefinitions.namespace)")
            }
            let name = String(write.key.dropFirst(ChaincodeDefinitions.keyPrefix.count))
            guard isChaincodeName(name), name != ChaincodeDefinitions.namespace else {
                return invalid("'\(name)' is not a chaincode name (letters and digits, joined by single - or _)")
            }
            if write.isDelete { continue }
            switch ChaincodeDefinition.decode(write.value) {
            case .failure(let problem):
                return invalid(problem.description)
            case .success(let definition):
                guard definition.name == name else { return invalid("the definition names '\(definition.name)', not '\(name)'") }
                guard isVersion(definition.version) else {
                    return invalid("version '\(definition.version)' has characters other than letters, digits, _ . + -")
                }
            }
        }
        return nil
    }

    /// Fabric's chaincode name rule: `[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*`.
    static func isChaincodeName(_ name: String) -> Bool {
        var previousWasSeparator = true
        for scalar in name.unicodeScalars {
            if scalar.isASCIIAlphanumeric {
                previousWasSeparator = false
            } else if scalar == "-" || scalar == "_" {
                if previousWasSeparator { return false }
                previousWasSeparator = true
            } else {
                return false
            }
        }
        return !name.isEmpty && !previousWasSeparator
    }

    /// Fabric's chaincode version rule: `[A-Za-z0-9_.+-]+`.
    static func isVersion(_ version: String) -> Bool {
        !version.isEmpty && version.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || "_.+-".unicodeScalars.contains($0) }
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
