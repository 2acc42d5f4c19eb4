import FabricWire
import Foundation

/// Fabric's checks of one entry that need neither the ledger nor policies, in the order its
/// committer makes them: the envelope and its headers (NIL_ENVELOPE, BAD_PAYLOAD,
/// BAD_COMMON_HEADER), the creator (an org of the channel, its signature verified:
/// BAD_CREATOR_SIGNATURE), the tx id (BAD_PROPOSAL_TXID), then the endorser transaction's
/// shape (INVALID_ENDORSER_TRANSACTION, see `EndorsedAction`).
///
/// Guarantees: a CONFIG transaction is decided here, VALID in block 0 only (configuration
/// updates are not supported after it: INVALID_CONFIG_TRANSACTION); an endorser transaction
/// that passes comes back opened, for the checks that need the ledger.
enum EnvelopeChecks {
    enum Outcome {
        case decided(TransactionVerdict)
        case endorser(EnvelopeView, EndorsedAction)
    }

    static func check(_ candidate: CandidateTransaction, context: ValidationContext) -> Outcome {
        guard let view = candidate.view else {
            return .decided(candidate.envelopeProblem ?? TransactionVerdict(.nilEnvelope, "the entry is not an Envelope"))
        }
        // Fabric checks the creator's signature before the tx id: keep a wrong id for later.
        var wrongTxID: TransactionVerdict?
        do {
            try view.checkHeader(channel: context.channel)
        } catch {
            guard error.code == .badProposalTxid else { return .decided(TransactionVerdict(error)) }
            wrongTxID = TransactionVerdict(error)
        }
        if view.headerType == .config {
            return .decided(context.blockNumber == 0
                ? .valid
                : TransactionVerdict(.invalidConfigTransaction, "configuration updates after block 0 are not supported"))
        }
        guard context.organizations.contains(view.creator.mspid) else {
            return .decided(TransactionVerdict(.badCreatorSignature, "the creator's MSP '\(view.creator.mspid)' is not an org of channel '\(context.channel)'"))
        }
        switch candidate.creator {
        case .verified: break
        case .notChecked:
            return .decided(TransactionVerdict(.badCreatorSignature, "the creator's signature was not verified"))
        case .rejected(let why):
            return .decided(TransactionVerdict(.badCreatorSignature, "the creator's signature did not verify: \(why)"))
        }
        if let wrongTxID { return .decided(wrongTxID) }
        guard let action = candidate.action else {
            return .decided(candidate.actionProblem ?? TransactionVerdict(.invalidEndorserTransaction, "the transaction's action did not open"))
        }
        return .endorser(view, action)
    }
}
