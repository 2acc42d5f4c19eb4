import Foundation

/// Why a chaincode call or a chaincode stream failed: what went wrong, where, and what to do.
public enum ChaincodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The client's `run()` is not running, so nothing connects to the chaincode.
    case notRunning(chaincode: String, address: String)
    /// The chaincode server could not be reached or the stream could not be opened.
    case unavailable(chaincode: String, address: String, reason: String)
    /// The chaincode server accepted the stream but sent no REGISTER in time.
    case registrationTimedOut(chaincode: String, address: String, seconds: Double)
    /// The chaincode registered under another ID than the one deployed.
    case wrongChaincodeID(chaincode: String, address: String, registered: String, expected: String)
    /// The chaincode broke the shim protocol (a message out of place, an undecodable payload).
    case protocolViolation(chaincode: String, address: String, detail: String)
    /// The stream to the chaincode ended while the transaction was in flight.
    case streamClosed(chaincode: String, address: String, reason: String)
    /// The chaincode did not complete the transaction in time.
    case timedOut(chaincode: String, address: String, transaction: TransactionKey, seconds: Double)
    /// The same channel and transaction ID is already in flight on this chaincode.
    case duplicateTransaction(chaincode: String, transaction: TransactionKey)
    /// The chaincode answered the transaction with an ERROR message (not a response).
    case chaincodeFailed(chaincode: String, transaction: TransactionKey, message: String)
    /// The caller stopped waiting.
    case cancelled(chaincode: String, transaction: TransactionKey)
    /// The peer could not encode a message of the transaction (its input or its read-write set).
    case encodingFailed(chaincode: String, transaction: TransactionKey, what: String, cause: String)
    /// A chaincode that dials the peer (``ChaincodeStreamSource/dialIn(peerAddress:)``) has no
    /// registration open with it; `lastEnd` says why the last one ended, if there was one.
    case notRegistered(chaincode: String, chaincodeID: String, peerAddress: String, lastEnd: String?)
    /// A newer registration of the same chaincode took over from the stream at `address`.
    case replaced(chaincode: String, address: String)

    public var description: String {
        switch self {
        case .notRunning(let chaincode, let address):
            return "the connection to chaincode \(chaincode) at \(address) is not running; run the ChaincodeClient (its run(), e.g. in the peer's ServiceGroup) before invoking"
        case .unavailable(let chaincode, let address, let reason):
            return "chaincode \(chaincode) at \(address) is unavailable (\(reason)); start the chaincode server there (CHAINCODE_SERVER_ADDRESS=\(address)) or fix the deployed address and TLS settings; the peer keeps reconnecting"
        case .registrationTimedOut(let chaincode, let address, let seconds):
            return "chaincode \(chaincode) at \(address) accepted the connection but did not register within \(Self.format(seconds)) s; check that a chaincode shim (not another gRPC server) listens there"
        case .wrongChaincodeID(let chaincode, let address, let registered, let expected):
            return "the chaincode at \(address) registered as '\(registered)' but chaincode \(chaincode) was deployed with ID '\(expected)'; start it with CHAINCODE_ID=\(expected), or deploy it with --id \(registered)"
        case .protocolViolation(let chaincode, let address, let detail):
            return "chaincode \(chaincode) at \(address) broke the shim protocol: \(detail); check the chaincode's shim version"
        case .streamClosed(let chaincode, let address, let reason):
            return "the stream to chaincode \(chaincode) at \(address) ended (\(reason)); check the chaincode's log (the peer dials a chaincode server again; a chaincode that dials in must register again)"
        case .timedOut(let chaincode, let address, let transaction, let seconds):
            return "chaincode \(chaincode) at \(address) did not complete \(transaction) within \(Self.format(seconds)) s; check the chaincode's log (a contract that raises outside the contract API never answers), or allow a longer timeout"
        case .duplicateTransaction(let chaincode, let transaction):
            return "\(transaction) is already running on chaincode \(chaincode); use a new transaction ID"
        case .chaincodeFailed(let chaincode, let transaction, let message):
            return "chaincode \(chaincode) failed \(transaction): \(message)"
        case .cancelled(let chaincode, let transaction):
            return "the call of chaincode \(chaincode) for \(transaction) was cancelled"
        case .encodingFailed(let chaincode, let transaction, let what, let cause):
            return "could not encode \(what) of \(transaction) on chaincode \(chaincode): \(cause); this is a bug in fabnet, please report it"
        case .notRegistered(let chaincode, let chaincodeID, let peerAddress, let lastEnd):
            let ended = lastEnd.map { " (its last registration ended: \($0))" } ?? ""
            return "chaincode \(chaincode) dials in but has not registered with this peer\(ended); start it with "
                + "CORE_PEER_ADDRESS=\(peerAddress) CORE_CHAINCODE_ID_NAME=\(chaincodeID) and TLS on (CORE_PEER_TLS_ENABLED=true, "
                + "CORE_PEER_TLS_ROOTCERT_FILE=the peer org's TLS CA), or deploy it with --address HOST:PORT to have the peer dial its server"
        case .replaced(let chaincode, let address):
            return "chaincode \(chaincode) registered with this peer again: the newer registration replaced the stream from \(address), which is closed"
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.2f", seconds)
    }
}
