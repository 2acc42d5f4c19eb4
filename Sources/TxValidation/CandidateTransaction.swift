import FabricPolicy
import FabricWire
import Foundation

/// One block entry opened for validation before its block commits, with the outcome of the
/// signature checks the shell made on it (on all cores, before the block's turn to commit).
///
/// Guarantees: `prepare` never throws and decodes each layer once; what did not open is kept
/// as the problem Fabric's committer gives it, judged in Fabric's order by `BlockValidator`.
/// `creator` and `endorsers` start `.notChecked` and only the shell changes them; a creator or
/// endorser recorded as verified always carries the identity bytes it signed with, so one
/// identity that signed twice (twice as endorser, or as creator and endorser) counts once in
/// every policy.
public struct CandidateTransaction: Sendable {
    /// The opened envelope, or `nil` when the entry did not open (`envelopeProblem` says why).
    public let view: EnvelopeView?
    let envelopeProblem: TransactionVerdict?
    /// The endorser transaction's action, or `nil` (not an endorser transaction, or it did not
    /// open: `actionProblem` says why).
    public let action: EndorsedAction?
    let actionProblem: TransactionVerdict?
    /// The read-write set per namespace (empty without an action, or when it did not decode:
    /// `namespacesProblem` says why).
    let namespaces: [EndorserTransaction.NamespaceSet]
    let namespacesProblem: TransactionVerdict?

    public private(set) var creator: SignatureCheck = .notChecked
    /// One per endorsement of `action`, in order.
    public private(set) var endorsers: [SignatureCheck]

    public var txID: String { view?.txID ?? "" }

    /// Opens `entry` (one entry of a block's data).
    public static func prepare(_ entry: Data) -> CandidateTransaction {
        let view: EnvelopeView
        do {
            view = try EnvelopeView.open(entry)
        } catch {
            return CandidateTransaction(view: nil, envelopeProblem: TransactionVerdict(error), action: nil, actionProblem: nil, namespaces: [], namespacesProblem: nil)
        }
        guard view.headerType == .endorserTransaction else {
            return CandidateTransaction(view: view, envelopeProblem: nil, action: nil, actionProblem: nil, namespaces: [], namespacesProblem: nil)
        }
        let action: EndorsedAction
        do {
            action = try EndorsedAction.open(view)
        } catch {
            return CandidateTransaction(view: view, envelopeProblem: nil, action: nil, actionProblem: TransactionVerdict(error), namespaces: [], namespacesProblem: nil)
        }
        guard let chaincodeAction = action.chaincodeAction else {
            return CandidateTransaction(view: view, envelopeProblem: nil, action: action, actionProblem: nil, namespaces: [],
                                        namespacesProblem: TransactionVerdict(.badResponsePayload, "the proposal response payload's extension is not a ChaincodeAction"))
        }
        do {
            let namespaces = try EndorserTransaction.rwset(results: chaincodeAction.results)
            return CandidateTransaction(view: view, envelopeProblem: nil, action: action, actionProblem: nil, namespaces: namespaces, namespacesProblem: nil)
        } catch {
            return CandidateTransaction(view: view, envelopeProblem: nil, action: action, actionProblem: nil, namespaces: [],
                                        namespacesProblem: TransactionVerdict(error))
        }
    }

    init(view: EnvelopeView?, envelopeProblem: TransactionVerdict?, action: EndorsedAction?, actionProblem: TransactionVerdict?,
         namespaces: [EndorserTransaction.NamespaceSet], namespacesProblem: TransactionVerdict?) {
        self.view = view
        self.envelopeProblem = envelopeProblem
        self.action = action
        self.actionProblem = actionProblem
        self.namespaces = namespaces
        self.namespacesProblem = namespacesProblem
        endorsers = Array(repeating: .notChecked, count: action?.endorsements.count ?? 0)
    }

    /// The creator's signature over the payload, for an endorser transaction that opened far
    /// enough to be judged on it (`nil` otherwise: nothing to verify).
    public var creatorSignature: SignatureToCheck? {
        guard let view, view.headerType == .endorserTransaction else { return nil }
        return SignatureToCheck(identityBytes: view.creatorBytes, signature: view.envelope.signature, signedBytes: view.envelope.payload)
    }

    /// Each endorsement's signature over response payload ‖ endorser, in order.
    public var endorsementSignatures: [SignatureToCheck] {
        guard let action else { return [] }
        return action.endorsements.map {
            SignatureToCheck(identityBytes: $0.endorser, signature: $0.signature, signedBytes: action.signedBytes(of: $0))
        }
    }

    /// Records what verifying the creator's signature found (a verified creator carries the
    /// signature header's creator bytes as its identity).
    public mutating func recordCreator(_ check: SignatureCheck) {
        if case .verified(var signer) = check, let view {
            signer.identity = view.creatorBytes
            creator = .verified(signer)
        } else {
            creator = check
        }
    }

    /// Records what verifying endorsement `index` found (an index out of range is ignored).
    public mutating func recordEndorsement(_ index: Int, _ check: SignatureCheck) {
        guard endorsers.indices.contains(index), let action else { return }
        if case .verified(var signer) = check {
            signer.identity = action.endorsements[index].endorser
            endorsers[index] = .verified(signer)
        } else {
            endorsers[index] = check
        }
    }
}
