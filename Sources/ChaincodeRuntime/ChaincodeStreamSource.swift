/// Where a ``ChaincodeClient``'s streams come from.
///
/// Guarantees: ``dial(_:)`` clients open their streams themselves (`protos.Chaincode/Connect`,
/// Fabric's chaincode as a service) and reconnect; ``dialIn(peerAddress:)`` clients open none:
/// they take the `protos.ChaincodeSupport/Register` streams a chaincode opens to the peer
/// (``ChaincodeClient/accept(register:from:inbound:send:)``), the Go, Node and Java shims'
/// default and Fabric's development mode.
public enum ChaincodeStreamSource: Sendable, Equatable, CustomStringConvertible {
    /// The peer dials the chaincode server at this endpoint.
    case dial(ChaincodeEndpoint)
    /// The chaincode dials the peer's gRPC endpoint at `peerAddress` (`host:port`, what the
    /// chaincode's `CORE_PEER_ADDRESS` must name).
    case dialIn(peerAddress: String)

    public var description: String {
        switch self {
        case .dial(let endpoint): return "\(endpoint)"
        case .dialIn(let peerAddress): return "registrations at \(peerAddress)"
        }
    }
}
