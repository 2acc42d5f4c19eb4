/// Where a ``ChaincodeClient``'s connection to its chaincode is.
public enum ChaincodeConnectionState: Sendable, Equatable {
    /// `run()` is not running.
    case stopped
    /// Dialing the chaincode server, or waiting for its REGISTER.
    case connecting
    /// The chaincode registered: calls go through.
    case ready
    /// The last attempt failed for this reason; `run()` retries after a back-off, and calls fail
    /// with this error until a retry succeeds.
    case unavailable(ChaincodeError)
}
