import FabricWire
import Foundation

/// Reads one chaincode's events out of a committed block, as Fabric's gateway does for
/// `ChaincodeEvents`.
///
/// Guarantees: only transactions flagged VALID in the block's TRANSACTIONS_FILTER count (a block
/// without flags yields nothing); only endorser transactions whose chaincode action carries an
/// event of `chaincode`; events come in the block's transaction order. With `after`, the events
/// of transactions up to and including that transaction ID (valid or not) are left out when the
/// block holds it (a client resuming after the last event it handled); a block without it is
/// read whole.
public enum ChaincodeEventScan {
    public static func events(in block: Common_Block, chaincode: String, after transactionID: String = "") -> [Protos_ChaincodeEvent] {
        let flags = BlockMetadataLayout.transactionsFilter(of: block)
        var events: [Protos_ChaincodeEvent] = []
        for (index, entry) in block.data.data.enumerated() {
            guard let view = try? EnvelopeView.open(entry) else { continue }
            // The resume point counts whatever its code: an invalid transaction can be the last one handled.
            if !transactionID.isEmpty, view.txID == transactionID {
                events = []
                continue
            }
            guard index < flags.count, flags[index] == UInt8(Protos_TxValidationCode.valid.rawValue),
                  view.headerType == .endorserTransaction, let action = try? EndorsedAction.open(view),
                  let chaincodeAction = action.chaincodeAction, !chaincodeAction.events.isEmpty,
                  let event = try? Protos_ChaincodeEvent(serializedBytes: chaincodeAction.events),
                  event.chaincodeID == chaincode else { continue }
            events.append(event)
        }
        return events
    }
}
