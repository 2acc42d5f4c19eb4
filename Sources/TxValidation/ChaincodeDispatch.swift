import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf

/// Fabric's per-chaincode checks of an endorser transaction (its validation dispatcher and
/// built-in validation plugin), with the chaincode definitions in force at its place in the
/// block.
///
/// Guarantees, in this order, the first failure deciding:
/// - the channel header's extension is a ChaincodeHeaderExtension (BAD_HEADER_EXTENSION); the
///   action's response payload is a ChaincodeAction (BAD_RESPONSE_PAYLOAD) whose read-write set
///   decodes (BAD_RWSET);
/// - both name a chaincode (INVALID_OTHER_REASON when either is missing), the same one, not
///   empty (INVALID_CHAINCODE); a defined chaincode's action carries a version
///   (INVALID_CHAINCODE); a chaincode event, if any, is the invoked chaincode's
///   (INVALID_OTHER_REASON);
/// - no namespace appears twice (ILLEGAL_WRITESET) and none carries key metadata writes
///   (state-based endorsement is not supported: INVALID_OTHER_REASON);
/// - the invoked chaincode, then every namespace written, in read-write set order, has a rule
///   (`ValidationContext.rule`; none: INVALID_CHAINCODE) and satisfies it: a defined
///   chaincode's endorsement policy over the counted endorsers (`EndorsementSigners`; only
///   peers among them with `ValidationContext.onlyPeersEndorse`), the
///   lifecycle policy over creator and counted endorsers, then well-formed definitions each the
///   next of its name (`LifecycleWrites`), or nothing more for a creator-only namespace
///   (ENDORSEMENT_POLICY_FAILURE / INVALID_WRITESET). Unlike Fabric, whose map order makes the
///   code of a transaction failing two ways vary, the order here is fixed.
enum ChaincodeDispatch {
    static func problem(_ candidate: CandidateTransaction, view: EnvelopeView, action: EndorsedAction,
                        context: ValidationContext, definitions: DefinitionsInForce) -> TransactionVerdict? {
        guard let header = try? Protos_ChaincodeHeaderExtension(serializedBytes: view.channelHeader.extension) else {
            return TransactionVerdict(.badHeaderExtension, "the channel header's extension is not a ChaincodeHeaderExtension")
        }
        guard let chaincodeAction = action.chaincodeAction else {
            return TransactionVerdict(.badResponsePayload, "the proposal response payload's extension is not a ChaincodeAction")
        }
        if let problem = candidate.namespacesProblem { return problem }
        guard header.hasChaincodeID else {
            return TransactionVerdict(.invalidOtherReason, "the channel header's extension names no chaincode")
        }
        guard chaincodeAction.hasChaincodeID else {
            return TransactionVerdict(.invalidOtherReason, "the chaincode action names no chaincode")
        }
        let invoked = header.chaincodeID.name
        guard !invoked.isEmpty else { return TransactionVerdict(.invalidChaincode, "the invoked chaincode's name is empty") }
        guard chaincodeAction.chaincodeID.name == invoked else {
            return TransactionVerdict(.invalidChaincode, "the proposal invoked '\(invoked)' but the action is by '\(chaincodeAction.chaincodeID.name)'")
        }
        guard let invokedRule = context.rule(for: invoked, definitions: definitions) else {
            return undefined(invoked, context)
        }
        if case .chaincode = invokedRule, chaincodeAction.chaincodeID.version.isEmpty {
            return TransactionVerdict(.invalidChaincode, "the action of '\(invoked)' carries no chaincode version")
        }
        if !chaincodeAction.events.isEmpty {
            guard let event = try? Protos_ChaincodeEvent(serializedBytes: chaincodeAction.events) else {
                return TransactionVerdict(.invalidOtherReason, "the chaincode action's event does not decode")
            }
            guard event.chaincodeID == invoked else {
                return TransactionVerdict(.invalidOtherReason, "the chaincode event is from '\(event.chaincodeID)', not the invoked '\(invoked)'")
            }
        }
        var written: [(name: String, set: Kvrwset_KVRWSet?)] = [(invoked, nil)]
        var listed: Set<String> = []
        for namespace in candidate.namespaces {
            guard listed.insert(namespace.namespace).inserted else {
                return TransactionVerdict(.illegalWriteset, "namespace '\(namespace.namespace)' appears twice in the read-write set")
            }
            guard namespace.set.metadataWrites.isEmpty else {
                return TransactionVerdict(.invalidOtherReason, "namespace '\(namespace.namespace)' writes key metadata; fabnet does not support key-level endorsement policies")
            }
            guard !namespace.set.writes.isEmpty else { continue }
            if namespace.namespace == invoked { written[0].set = namespace.set } else { written.append((name: namespace.namespace, set: .some(namespace.set))) }
        }
        let signers = EndorsementSigners(candidate.endorsers, organizations: context.organizations)
        for (name, set) in written {
            let rule: NamespaceRule? = name == invoked ? invokedRule : context.rule(for: name, definitions: definitions)
            guard let rule else {
                return undefined(name, context)
            }
            switch rule {
            case .creatorOnly:
                continue
            case .lifecycle(let policy):
                let creator = candidate.creator.signer.flatMap { context.organizations.contains($0.mspID) ? $0 : nil }
                let result = signers.evaluate(policy, with: context.policies, also: creator.map { [$0] } ?? [])
                if !result.satisfied {
                    return TransactionVerdict(.endorsementPolicyFailure, signers.explain("writes to '\(name)' need \(policy) over the creator and endorsers: \(result.explanation)"))
                }
                if let set, let problem = LifecycleWrites.problem(in: set, definitions: definitions) { return problem }
            case .chaincode(let definition):
                let endorsers = context.onlyPeersEndorse ? signers.peersOnly() : signers
                let result = endorsers.evaluate(definition.policy, with: context.policies)
                if !result.satisfied {
                    return TransactionVerdict(.endorsementPolicyFailure, endorsers.explain("endorsement policy of '\(name)' (\(definition.policy)) not satisfied: \(result.explanation)"))
                }
            }
        }
        return nil
    }

    static func undefined(_ name: String, _ context: ValidationContext) -> TransactionVerdict {
        TransactionVerdict(.invalidChaincode, "chaincode '\(name)' is not defined on channel '\(context.channel)' at block \(context.blockNumber)")
    }
}
