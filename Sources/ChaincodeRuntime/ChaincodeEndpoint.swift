import Foundation
import GRPCNIOTransportHTTP2Posix

/// Where a chaincode server listens and how to reach it: Fabric's `connection.json` (address,
/// TLS root certificate, optional client certificate and key).
///
/// Guarantees: ``init(address:tls:)`` accepts `host:port` with a port in 1…65535 (IPv6 hosts in
/// brackets) and refuses anything else with a ``ChaincodeEndpointError`` saying what to write.
public struct ChaincodeEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// nil: plaintext.
    public var tls: ChaincodeTLS?

    public init(host: String, port: Int, tls: ChaincodeTLS? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Parses `host:port`.
    public init(address: String, tls: ChaincodeTLS? = nil) throws(ChaincodeEndpointError) {
        guard let colon = address.lastIndex(of: ":") else { throw .badAddress(address) }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port) else {
            throw .badAddress(address)
        }
        self.init(host: host, port: port, tls: tls)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The gRPC target for this address.
    var target: any ResolvableTarget {
        if host.contains(":") {
            return ResolvableTargets.IPv6(addresses: [.init(host: host, port: port)])
        }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4, octets.allSatisfy({ $0.count <= 3 && UInt8($0) != nil }) {
            return ResolvableTargets.IPv4(addresses: [.init(host: host, port: port)])
        }
        return ResolvableTargets.DNS(host: host, port: port)
    }
}

/// TLS towards a chaincode server, as Fabric's `connection.json` gives it.
///
/// Guarantees: the server must present a certificate chaining to `rootCertificatesPEM` and, with
/// `verifyHostname`, naming the endpoint's host; the client presents its certificate only when both
/// `clientCertificatePEM` and `clientKeyPEM` are set (Fabric's `client_auth_required`).
public struct ChaincodeTLS: Sendable, Equatable {
    public var rootCertificatesPEM: Data
    public var clientCertificatePEM: Data?
    public var clientKeyPEM: Data?
    public var verifyHostname: Bool

    public init(rootCertificatesPEM: Data, clientCertificatePEM: Data? = nil, clientKeyPEM: Data? = nil, verifyHostname: Bool = true) {
        self.rootCertificatesPEM = rootCertificatesPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.verifyHostname = verifyHostname
    }

    /// grpc-swift's transport security for these settings.
    var transportSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
        var chain: [TLSConfig.CertificateSource] = []
        var key: TLSConfig.PrivateKeySource?
        if let clientCertificatePEM, let clientKeyPEM {
            chain = [.bytes(Array(clientCertificatePEM), format: .pem)]
            key = .bytes(Array(clientKeyPEM), format: .pem)
        }
        let tls = HTTP2ClientTransport.Posix.TransportSecurity.TLS(
            certificateChain: chain,
            privateKey: key,
            serverCertificateVerification: verifyHostname ? .fullVerification : .noHostnameVerification,
            trustRoots: .certificates([.bytes(Array(rootCertificatesPEM), format: .pem)]))
        return .tls(tls)
    }
}

/// A chaincode address that cannot be used.
public enum ChaincodeEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    case badAddress(String)

    public var description: String {
        switch self {
        case .badAddress(let address):
            return "'\(address)' is not a chaincode address; write host:port, e.g. 127.0.0.1:9999 (the chaincode's CHAINCODE_SERVER_ADDRESS)"
        }
    }
}
