import FabricWire
import Foundation
import Ledger

/// Judges every transaction of one block with Fabric's validation codes; what the peer's shell
/// calls at commit, once the entries are opened and their signatures verified.
///
/// How the shell uses it:
/// 1. When the block enters (on all cores): `CandidateTransaction.prepare(entry)` for each
///    entry; verify `creatorSignature` and each of `endorsementSignatures` with the channel's
///    MSPs and record the outcome (`recordCreator`, `recordEndorsement`) as a `PolicySigner`
///    (MSP ID, roles from NodeOU or the admin list) or a rejection.
/// 2. At its turn to commit, on the ledger's owner: `validate(candidates, context:)` with the
///    channel's orgs and `PolicyEvaluator`, the definitions in force (`DefinitionsInForce`,
///    kept by the shell; `DefinitionsInForce(state:)` when a ledger opens), the ledger's
///    state and transaction index; then `ChannelLedger.append(_:effects:)` with `effects`, and
///    keep `definitions` for the next block.
///
/// Guarantees:
/// - one effect and one verdict per candidate, in order; only VALID effects carry writes;
/// - each transaction is judged in block order: `EnvelopeChecks`, then DUPLICATE_TXID for an
///   id the ledger has indexed, `ChaincodeDispatch` (definitions written by earlier VALID
///   transactions of the block count), DUPLICATE_TXID for an id an earlier transaction of the
///   block carried and that passed the checks so far (as Fabric, whatever its read checks then
///   found), then `ReadConflicts` against the committed state plus the writes of the earlier
///   VALID transactions of the block;
/// - deterministic: a pure function of its inputs, so every peer given the same block, state
///   and configuration computes the same codes.
public enum BlockValidator {
    public static func validate(_ candidates: [CandidateTransaction], context: ValidationContext) -> ValidatedBlock {
        var updates = InBlockUpdates()
        var definitions = context.definitions
        var carried: Set<String> = []
        var effects: [TransactionEffect] = []
        var verdicts: [TransactionVerdict] = []
        effects.reserveCapacity(candidates.count)
        verdicts.reserveCapacity(candidates.count)
        for (index, candidate) in candidates.enumerated() {
            let verdict = judge(candidate, context: context, definitions: definitions, carried: &carried, updates: updates)
            if verdict.isValid {
                updates.apply(candidate.namespaces, version: Version(block: context.blockNumber, transaction: UInt64(index)))
                definitions.apply(candidate.namespaces)
            }
            verdicts.append(verdict)
            effects.append(TransactionEffect(txID: candidate.txID, code: verdict.code, writes: candidate.namespaces))
        }
        return ValidatedBlock(effects: effects, verdicts: verdicts, definitions: definitions)
    }

    static func judge(_ candidate: CandidateTransaction, context: ValidationContext, definitions: DefinitionsInForce,
                      carried: inout Set<String>, updates: InBlockUpdates) -> TransactionVerdict {
        let view: EnvelopeView
        let action: EndorsedAction
        switch EnvelopeChecks.check(candidate, context: context) {
        case .decided(let verdict): return verdict
        case .endorser(let opened, let endorsed):
            view = opened
            action = endorsed
        }
        if let location = context.transactions[view.txID] {
            return TransactionVerdict(.duplicateTxid, "tx id \(view.txID) was committed in block \(location.block) at index \(location.index)")
        }
        if let problem = ChaincodeDispatch.problem(candidate, view: view, action: action, context: context, definitions: definitions) {
            return problem
        }
        guard carried.insert(view.txID).inserted else {
            return TransactionVerdict(.duplicateTxid, "tx id \(view.txID) was carried by an earlier transaction of this block")
        }
        return ReadConflicts.problem(candidate.namespaces, state: context.state, updates: updates) ?? .valid
    }
}

/// The outcome of validating one block: what to append and what to keep.
///
/// Guarantees: `effects` and `verdicts` have one entry per transaction, in order, with the same
/// codes; `definitions` are those in force after the block (its VALID lifecycle writes applied).
public struct ValidatedBlock: Sendable {
    public let effects: [TransactionEffect]
    public let verdicts: [TransactionVerdict]
    public let definitions: DefinitionsInForce

    /// The codes, in order (what the block's TRANSACTIONS_FILTER will hold).
    public var codes: [Protos_TxValidationCode] { verdicts.map(\.code) }
}
