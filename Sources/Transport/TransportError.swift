/// Why a connection was refused or ended. The connection closes; the process goes on.
public enum TransportError: Error, Equatable, CustomStringConvertible {
    case handshakeTimeout(seconds: Double)
    case handshakeRefused(reason: String)
    /// The handshake's certificate hash is not the certificate presented on this TLS session.
    case tlsBindingMismatch(mspID: String)
    case unexpectedRemote(expected: String, got: String)
    case closedBeforeHandshake
    /// A `fabnet fault` plan cuts this node from the remote.
    case cutByFault

    public var description: String {
        switch self {
        case let .handshakeTimeout(seconds): return "no handshake within \(seconds)s"
        case let .handshakeRefused(reason): return "handshake refused: \(reason)"
        case let .tlsBindingMismatch(mspID):
            return "handshake from \(mspID) names a TLS certificate other than the one presented on this connection"
        case let .unexpectedRemote(expected, got): return "connected to \(got), expected \(expected)"
        case .closedBeforeHandshake: return "connection closed before the handshake"
        case .cutByFault: return "handshake refused: cut by a fault between these nodes (`fabnet fault heal` ends it)"
        }
    }
}
