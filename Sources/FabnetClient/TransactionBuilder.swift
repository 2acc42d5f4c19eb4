import FabnetCrypto
import FabnetWire
import FabricWire
import Foundation

/// Makes signed transactions as a client does until endorsement exists: an unendorsed Fabric
/// endorser transaction (`UnendorsedTransaction`) in namespace `fabnet` with the writes, a
/// random nonce, the tx id derived from it, signed by the creator.
///
/// Guarantees: the envelope's payload is a Fabric `common.Payload` and its signature is the
/// creator's over it (the envelope is fabnet's frame type, which has Fabric's field numbers, so
/// it re-encodes as the same `common.Envelope`).
public enum TransactionBuilder {
    /// The namespace fabnet's own commands write in.
    public static let namespace = "fabnet"

    public static func make(channel: String, namespace: String = TransactionBuilder.namespace, writes: [(key: String, value: Data?)],
                            creator: SigningIdentity, now: Date = Date()) throws -> (envelope: WireEnvelope, txID: String) {
        let made = try UnendorsedTransaction.payload(
            channel: channel, namespace: namespace, arguments: [Data("put".utf8)] + writes.flatMap { [Data($0.key.utf8), $0.value ?? Data()] },
            writes: writes, creator: try creator.serialized.serializedBytes(), nonce: FabricTransactionID.randomNonce(), timestamp: now)
        var envelope = WireEnvelope()
        envelope.payload = made.payload
        envelope.signature = try creator.sign(made.payload)
        return (envelope, made.txID)
    }
}
