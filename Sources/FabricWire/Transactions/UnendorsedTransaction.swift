import Crypto
import Foundation
import SwiftProtobuf

/// The payload of an endorser transaction that carries its writes without endorsements: what
/// `fabnet tx put` submits until endorsement exists. Every layer is Fabric's (channel header of
/// type ENDORSER_TRANSACTION with a ChaincodeHeaderExtension, one TransactionAction whose
/// ChaincodeAction holds a TxReadWriteSet), so any Fabric client decodes it.
///
/// Guarantees: writes are sorted by key (as Fabric's rwset builder sorts them) and a `nil` value
/// is a delete; the tx id is `FabricTransactionID.make(nonce:creator:)`; the proposal hash is
/// Fabric's (SHA-256 of channel header ‖ signature header ‖ proposal payload).
public enum UnendorsedTransaction {
    /// The encoded `common.Payload` (to be signed into an Envelope) and its tx id.
    public static func payload(channel: String, namespace: String, arguments: [Data], writes: [(key: String, value: Data?)],
                               creator: Data, nonce: Data, timestamp: Date) throws -> (payload: Data, txID: String) {
        let txID = FabricTransactionID.make(nonce: nonce, creator: creator)
        var chaincodeID = Protos_ChaincodeID()
        chaincodeID.name = namespace

        var headerExtension = Protos_ChaincodeHeaderExtension()
        headerExtension.chaincodeID = chaincodeID
        var channelHeader = Common_ChannelHeader()
        channelHeader.type = Int32(Common_HeaderType.endorserTransaction.rawValue)
        channelHeader.channelID = channel
        channelHeader.txID = txID
        channelHeader.timestamp = Google_Protobuf_Timestamp(date: timestamp)
        channelHeader.extension = try headerExtension.serializedBytes()
        var signatureHeader = Common_SignatureHeader()
        signatureHeader.creator = creator
        signatureHeader.nonce = nonce
        let channelHeaderBytes: Data = try channelHeader.serializedBytes()
        let signatureHeaderBytes: Data = try signatureHeader.serializedBytes()

        var invocation = Protos_ChaincodeInvocationSpec()
        invocation.chaincodeSpec.type = .golang
        invocation.chaincodeSpec.chaincodeID = chaincodeID
        invocation.chaincodeSpec.input.args = arguments
        var proposalPayload = Protos_ChaincodeProposalPayload()
        proposalPayload.input = try invocation.serializedBytes()
        let proposalPayloadBytes: Data = try proposalPayload.serializedBytes()

        var set = Kvrwset_KVRWSet()
        set.writes = writes.sorted { $0.key < $1.key }.map { key, value in
            var write = Kvrwset_KVWrite()
            write.key = key
            if let value { write.value = value } else { write.isDelete = true }
            return write
        }
        var namespaceSet = Rwset_NsReadWriteSet()
        namespaceSet.namespace = namespace
        namespaceSet.rwset = try set.serializedBytes()
        var rwset = Rwset_TxReadWriteSet()
        rwset.dataModel = .kv
        rwset.nsRwset = [namespaceSet]

        var action = Protos_ChaincodeAction()
        action.results = try rwset.serializedBytes()
        action.response.status = 200
        action.chaincodeID = chaincodeID
        var responsePayload = Protos_ProposalResponsePayload()
        responsePayload.proposalHash = ProposalHash.make(channelHeader: channelHeaderBytes, signatureHeader: signatureHeaderBytes,
                                                         proposalPayload: proposalPayloadBytes)
        responsePayload.extension = try action.serializedBytes()

        var actionPayload = Protos_ChaincodeActionPayload()
        actionPayload.chaincodeProposalPayload = proposalPayloadBytes
        actionPayload.action.proposalResponsePayload = try responsePayload.serializedBytes()
        var transactionAction = Protos_TransactionAction()
        transactionAction.header = signatureHeaderBytes
        transactionAction.payload = try actionPayload.serializedBytes()
        var transaction = Protos_Transaction()
        transaction.actions = [transactionAction]

        var payload = Common_Payload()
        payload.header.channelHeader = channelHeaderBytes
        payload.header.signatureHeader = signatureHeaderBytes
        payload.data = try transaction.serializedBytes()
        return (try payload.serializedBytes(), txID)
    }
}

/// Fabric's proposal hash: what a ProposalResponsePayload names its proposal by.
///
/// Guarantees: SHA-256 of channel header bytes ‖ signature header bytes ‖ the
/// ChaincodeProposalPayload bytes with the transient map removed (the caller passes those).
public enum ProposalHash {
    public static func make(channelHeader: Data, signatureHeader: Data, proposalPayload: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: channelHeader)
        hasher.update(data: signatureHeader)
        hasher.update(data: proposalPayload)
        return Data(hasher.finalize())
    }
}
