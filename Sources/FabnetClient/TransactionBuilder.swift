import FabnetCrypto
import FabnetWire
import Foundation

/// Makes signed transactions as a client does: a random nonce, the tx id derived from it, the
/// creator's identity and the writes, sealed in an envelope.
public enum TransactionBuilder {
    public static func make(channel: String, writes: [(key: String, value: Data?)], creator: SigningIdentity,
                            now: Date = Date()) throws -> (envelope: WireEnvelope, txID: String) {
        var transaction = WireTransaction()
        transaction.channelID = channel
        transaction.creator = creator.serialized
        transaction.nonce = Data((0..<24).map { _ in UInt8.random(in: 0...255) })
        transaction.txID = TransactionID.make(nonce: transaction.nonce, creator: transaction.creator)
        transaction.timestamp = WireTimestamp(now)
        transaction.writes = writes.map { key, value in
            var write = WireKVWrite()
            write.key = key
            if let value { write.value = value } else { write.isDelete = true }
            return write
        }
        return (try EnvelopeSealing.seal(transaction, by: creator), transaction.txID)
    }
}
