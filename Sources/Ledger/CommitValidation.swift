import FabricWire
import Foundation

/// One block entry opened for validation before its block commits: what it is, what it would
/// write, and the first problem found so far (parsing here; the creator's signature is checked
/// by the peer's shell, on all cores, which records a failure with `failSignature`).
public struct PreparedTransaction: Sendable {
    /// The opened envelope, or `nil` when the entry did not open (then `problem` says why).
    public let view: EnvelopeView?
    public private(set) var problem: Protos_TxValidationCode?
    public private(set) var reason: String?
    /// The writes per namespace (endorser transactions whose read-write set decodes).
    public let writes: [EndorserTransaction.NamespaceSet]

    public var txID: String { view?.txID ?? "" }

    /// Records that the creator's signature did not verify (BAD_CREATOR_SIGNATURE), unless an
    /// earlier problem was already found.
    public mutating func failSignature(_ why: String) {
        guard problem == nil else { return }
        problem = .badCreatorSignature
        reason = why
    }

    init(view: EnvelopeView?, problem: Protos_TxValidationCode?, reason: String?, writes: [EndorserTransaction.NamespaceSet]) {
        self.view = view
        self.problem = problem
        self.reason = reason
        self.writes = writes
    }
}

/// How a peer judges each transaction of a block at commit, as Fabric's committer does for the
/// checks that exist before endorsement: NIL_ENVELOPE, BAD_PAYLOAD, BAD_COMMON_HEADER,
/// BAD_CREATOR_SIGNATURE, BAD_PROPOSAL_TXID, DUPLICATE_TXID, else VALID.
///
/// Pure: `prepare` needs only the entry; `effects` needs the channel, its member orgs and the
/// ledger's transaction index. Guarantees: one effect per entry, in order; an id already
/// committed, or carried by an earlier entry of the same block that passed its other checks, is
/// a DUPLICATE_TXID; only block 0 may carry a CONFIG transaction (it is VALID there).
public enum CommitValidation {
    /// Opens `entry` down to its read-write set.
    public static func prepare(_ entry: Data) -> PreparedTransaction {
        let view: EnvelopeView
        do {
            view = try EnvelopeView.open(entry)
        } catch {
            return PreparedTransaction(view: nil, problem: error.code, reason: error.reason, writes: [])
        }
        guard view.headerType == .endorserTransaction else {
            return PreparedTransaction(view: view, problem: nil, reason: nil, writes: [])
        }
        do {
            return PreparedTransaction(view: view, problem: nil, reason: nil, writes: try EndorserTransaction.rwset(of: view))
        } catch {
            return PreparedTransaction(view: view, problem: error.code, reason: error.reason, writes: [])
        }
    }

    /// The codes and writes of a block's prepared entries on `channel`.
    public static func effects(_ prepared: [PreparedTransaction], channel: String, organizations: Set<String>,
                               committed: TransactionIndex, blockNumber: UInt64) -> [TransactionEffect] {
        var seen: Set<String> = []
        return prepared.map { transaction in
            guard let view = transaction.view else { return TransactionEffect(txID: "", code: transaction.problem ?? .nilEnvelope, writes: []) }
            func effect(_ code: Protos_TxValidationCode) -> TransactionEffect {
                TransactionEffect(txID: view.txID, code: code, writes: transaction.writes)
            }
            do throws(EnvelopeView.Problem) {
                try view.checkHeader(channel: channel)
            } catch {
                return effect(error.code)
            }
            if view.headerType == .config {
                return effect(blockNumber == 0 ? .valid : .invalidConfigTransaction)
            }
            guard organizations.contains(view.creator.mspid) else { return effect(.badCreatorSignature) }
            if let problem = transaction.problem { return effect(problem) }
            // As Fabric: every id the ledger indexed counts (whatever its code), and in the block
            // the first entry that passed the checks above.
            guard !committed.contains(view.txID), seen.insert(view.txID).inserted else { return effect(.duplicateTxid) }
            return effect(.valid)
        }
    }
}
