import FabricWire
import Foundation

/// What one transaction of a block does to a ledger: its id, the code it was judged with, and
/// (when VALID) its writes per namespace.
public struct TransactionEffect: Sendable, Equatable {
    public let txID: String
    public let code: Protos_TxValidationCode
    /// Empty unless `code` is VALID.
    public let writes: [EndorserTransaction.NamespaceSet]

    public init(txID: String, code: Protos_TxValidationCode, writes: [EndorserTransaction.NamespaceSet]) {
        self.txID = txID
        self.code = code
        self.writes = code == .valid ? writes : []
    }
}

/// Reads a stored block's effects back from its entries and its TRANSACTIONS_FILTER (what a
/// ledger does when it opens): the codes are the ones the peer wrote when it committed.
///
/// Guarantees: one effect per entry; an entry without a code (an orderer's ledger has no
/// filter) is NOT_VALIDATED and writes nothing; a VALID entry whose read-write set cannot be
/// read writes nothing (it could not have been judged VALID, so the file was not this peer's).
public enum BlockEffects {
    public static func read(_ block: Common_Block) -> [TransactionEffect] {
        let codes = BlockMetadataLayout.transactionsFilter(of: block)
        return block.data.data.enumerated().map { index, entry in
            let code = index < codes.count ? Protos_TxValidationCode(rawValue: Int(codes[index])) ?? .invalidOtherReason : .notValidated
            guard let view = try? EnvelopeView.open(entry) else { return TransactionEffect(txID: "", code: code, writes: []) }
            guard code == .valid, view.headerType == .endorserTransaction,
                  let writes = try? EndorserTransaction.rwset(of: view) else {
                return TransactionEffect(txID: view.txID, code: code, writes: [])
            }
            return TransactionEffect(txID: view.txID, code: code, writes: writes)
        }
    }
}
