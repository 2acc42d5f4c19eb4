/// What stops a ``GRPCEndpoint`` from starting or answering, said so an operator can act on it.
public enum GRPCEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableFile(path: String, what: String, cause: String)
    case badTLSConfiguration(cause: String)
    case notListening(host: String, port: Int)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let what, let cause):
            return "cannot read \(what) from \(path): \(cause); check the node's TLS folder"
        case .badTLSConfiguration(let cause):
            return "the gRPC endpoint's TLS settings are refused by NIOSSL (\(cause)); check that the key matches the certificate"
        case .notListening(let host, let port):
            return "the gRPC endpoint on \(host):\(port) is not listening (the bind failed or it stopped); see the error its run() threw"
        }
    }
}
