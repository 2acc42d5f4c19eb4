import FabricWire

/// Names one transaction on one chaincode stream: the shim keeps its requests apart by channel
/// and transaction ID, so the peer does too.
public struct TransactionKey: Hashable, Sendable, CustomStringConvertible {
    public var channel: String
    public var txID: String

    public init(channel: String, txID: String) {
        self.channel = channel
        self.txID = txID
    }

    public var description: String { "transaction \(txID) on channel \(channel)" }
}

/// What one chaincode call produced: the chaincode's response (status, message, payload, as the
/// chaincode returned it: a status of 400 or more is the chaincode's own error, for the endorser to
/// refuse), the read-write set simulated against committed state, and the event the chaincode set.
public struct ChaincodeInvocation: Sendable, Equatable {
    public var response: Protos_Response
    public var readWriteSet: Rwset_TxReadWriteSet
    public var events: Protos_ChaincodeEvent?

    public init(response: Protos_Response, readWriteSet: Rwset_TxReadWriteSet, events: Protos_ChaincodeEvent?) {
        self.response = response
        self.readWriteSet = readWriteSet
        self.events = events
    }
}
