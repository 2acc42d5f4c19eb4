import Foundation
import SwiftProtobuf

/// The parts of an endorser transaction a ledger applies: the chaincode it invoked and the
/// read-write set its (first) action carries, per namespace.
///
/// Guarantees: `rwset(of:)` returns the namespaces in the order the transaction lists them and
/// throws a `Problem` with `BAD_PAYLOAD`/`INVALID_ENDORSER_TRANSACTION`-style reasons when any
/// layer does not decode; it never guesses.
public enum EndorserTransaction {
    /// One namespace's reads and writes.
    public struct NamespaceSet: Sendable, Equatable {
        public let namespace: String
        public let set: Kvrwset_KVRWSet
    }

    /// The action of `view` (an endorser transaction) opened down to its read-write sets.
    public static func rwset(of view: EnvelopeView) throws(EnvelopeView.Problem) -> [NamespaceSet] {
        try rwset(results: chaincodeAction(of: view).results)
    }

    /// A ChaincodeAction's `results` (a TxReadWriteSet) opened per namespace, in order.
    public static func rwset(results: Data) throws(EnvelopeView.Problem) -> [NamespaceSet] {
        guard let rwset = try? Rwset_TxReadWriteSet(serializedBytes: results) else {
            throw EnvelopeView.Problem(code: .badRwset, reason: "the read-write set does not decode")
        }
        var result: [NamespaceSet] = []
        for namespace in rwset.nsRwset {
            guard let set = try? Kvrwset_KVRWSet(serializedBytes: namespace.rwset) else {
                throw EnvelopeView.Problem(code: .badRwset, reason: "the read-write set of namespace '\(namespace.namespace)' does not decode")
            }
            result.append(NamespaceSet(namespace: namespace.namespace, set: set))
        }
        return result
    }

    /// The ChaincodeAction inside the transaction's single action.
    public static func chaincodeAction(of view: EnvelopeView) throws(EnvelopeView.Problem) -> Protos_ChaincodeAction {
        guard let transaction = try? Protos_Transaction(serializedBytes: view.payload.data) else {
            throw EnvelopeView.Problem(code: .badPayload, reason: "the payload's data is not a Transaction")
        }
        guard transaction.actions.count == 1 else {
            throw EnvelopeView.Problem(code: .invalidEndorserTransaction, reason: "the transaction has \(transaction.actions.count) actions, not 1")
        }
        guard let actionPayload = try? Protos_ChaincodeActionPayload(serializedBytes: transaction.actions[0].payload),
              actionPayload.hasAction,
              let response = try? Protos_ProposalResponsePayload(serializedBytes: actionPayload.action.proposalResponsePayload),
              let action = try? Protos_ChaincodeAction(serializedBytes: response.extension) else {
            throw EnvelopeView.Problem(code: .invalidEndorserTransaction, reason: "the action's payload does not decode down to a ChaincodeAction")
        }
        return action
    }
}
