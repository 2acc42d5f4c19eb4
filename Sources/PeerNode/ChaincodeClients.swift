import ChaincodeRuntime
import FabnetClient
import FabnetWire
import FabricWire
import Foundation

/// The peer's connections to chaincode: one `ChaincodeClient` per channel and chaincode whose
/// server the peer dials (chaincode as a service), and one per chaincode that dials the peer
/// (deployed without an address; one registration serves every channel it is deployed on). Each
/// is made on first use from the connections `fabnet chaincode deploy` left in the home, run as a
/// child task of the peer's service, and replaced when a deploy changes where it is.
///
/// Guarantees: a call to a chaincode no connection is known for fails at once saying which
/// command gives it one; a call to a chaincode that dials in and has not registered fails at once
/// saying how to start it (`CORE_PEER_ADDRESS` = this peer's gRPC address); dialing a server over
/// TLS, the peer presents its own TLS certificate (cryptogen's `tls/server.crt`, as Fabric's
/// `peer.tls.clientCert`), so servers that require client certificates accept it; a client ends
/// with the peer.
extension PeerService {
    static func chaincodeKey(channel: String, name: String) -> String { "chaincode:\(channel)/\(name)" }
    static func dialInKey(name: String) -> String { "chaincode-dial-in:\(name)" }

    /// What a chaincode that dials this peer must name in `CORE_PEER_ADDRESS`.
    var chaincodeDialInAddress: String {
        guard let port = home.configuration.grpcPort else { return "(this peer serves no gRPC port: give it one in peer.json)" }
        return "\(home.configuration.listenHost):\(port)"
    }

    func chaincodeClient(channel: String, name: String) throws -> ChaincodeClient {
        guard !stopped else { throw PeerError.notAllowed("this peer is stopping; ask another peer") }
        guard let connection = chaincodeConnections.connection(channel: channel, name: name) else {
            throw PeerError.notAllowed("no connection is known for chaincode \(name) on \(channel) at this peer: fabnet chaincode deploy \(name) -c \(channel) "
                                       + "(the chaincode dials in) or with --address HOST:PORT (the peer dials its server)")
        }
        let chaincodeID = connection.chaincodeID.isEmpty ? name : connection.chaincodeID
        if connection.address.isEmpty { return dialInClient(name: name, chaincodeID: chaincodeID) }
        let key = Self.chaincodeKey(channel: channel, name: name)
        if let existing = chaincodeClients[key], existing.connection == connection, tasks.isRunning(key) { return existing.client }
        tasks.cancel(key)
        var tls: ChaincodeTLS?
        if !connection.tlsRootCertificate.isEmpty {
            let (certificate, key) = try peerTLSClientCertificate()
            tls = ChaincodeTLS(rootCertificatesPEM: connection.tlsRootCertificate, clientCertificatePEM: certificate, clientKeyPEM: key)
        }
        let endpoint = try ChaincodeEndpoint(address: connection.address, tls: tls)
        let client = ChaincodeClient(name: name, chaincodeID: chaincodeID, endpoint: endpoint, logger: loggers.chaincode)
        chaincodeClients[key] = (connection, client)
        tasks.start(key) { try? await client.run() }
        return client
    }

    /// Where this peer's connection to chaincode `name` on `channel` is, in words (for
    /// `fabnet chaincode list`); looking does not dial.
    func chaincodeState(channel: String, name: String) -> String {
        if name == TransactionBuilder.namespace { return "built in" }
        guard let connection = chaincodeConnections.connection(channel: channel, name: name) else {
            return "no server known (fabnet chaincode deploy \(name) -c \(channel) …)"
        }
        let key = connection.address.isEmpty ? Self.dialInKey(name: name) : Self.chaincodeKey(channel: channel, name: name)
        guard let running = chaincodeClients[key], running.connection.address == connection.address, tasks.isRunning(key) else {
            return connection.address.isEmpty
                ? "waiting for the chaincode to register (CORE_PEER_ADDRESS=\(chaincodeDialInAddress) CORE_CHAINCODE_ID_NAME=\(name))"
                : "idle (dialled on the first call)"
        }
        switch running.client.connectionState {
        case .ready: return "ready"
        case .connecting: return connection.address.isEmpty ? "waiting for the chaincode to register" : "connecting"
        case .stopped: return "stopped"
        case .unavailable(let error): return "unavailable: \(error)"
        }
    }

    /// The client that takes the registrations of chaincode `name` (made and run on first use).
    func dialInClient(name: String, chaincodeID: String) -> ChaincodeClient {
        let key = Self.dialInKey(name: name)
        if let existing = chaincodeClients[key], existing.client.chaincodeID == chaincodeID, tasks.isRunning(key) { return existing.client }
        tasks.cancel(key)
        var connection = WireChaincodeConnection()
        connection.name = name
        connection.chaincodeID = chaincodeID
        let client = ChaincodeClient(name: name, chaincodeID: chaincodeID, source: .dialIn(peerAddress: chaincodeDialInAddress),
                                     logger: loggers.chaincode)
        chaincodeClients[key] = (connection, client)
        tasks.start(key) { try? await client.run() }
        return client
    }

    /// The peer's TLS certificate and key (PEM), presented to chaincode servers as its client certificate.
    private func peerTLSClientCertificate() throws -> (Data, Data) {
        let certificate = home.tlsDirectory.appendingPathComponent("server.crt")
        let key = home.tlsDirectory.appendingPathComponent("server.key")
        guard let certificateData = FileManager.default.contents(atPath: certificate.path),
              let keyData = FileManager.default.contents(atPath: key.path) else {
            throw PeerError.configuration("cannot read the peer's TLS certificate and key (\(certificate.path), \(key.path)) to present to the chaincode server; restore the peer's home (fabnet up writes it)")
        }
        return (certificateData, keyData)
    }
}

/// `protos.ChaincodeSupport/Register` on this peer: which client takes a registration.
///
/// Guarantees: only a caller that presented a TLS client certificate (which the TLS handshake
/// checked chains to one of the network's orgs' TLS CAs) may register, so a client that merely
/// reaches the port cannot take a chaincode's place and have this peer sign its answers; only
/// chaincodes deployed to dial in on a channel this peer joined are accepted
/// (``RegisterAcceptance``); a stopping peer refuses every registration.
extension PeerService: ChaincodeRegistry {
    public func client(forRegistration message: Protos_ChaincodeMessage, from remote: String,
                       clientCertificate: Data?) async -> Result<ChaincodeClient, RegistrationRefused> {
        guard !stopped else { return .failure(RegistrationRefused("this peer is stopping; start the chaincode again once the peer is back")) }
        guard clientCertificate != nil else {
            return .failure(RegistrationRefused("a chaincode that dials in must present a TLS client certificate of one of the network's orgs "
                + "(cryptogen's users/<user>/tls/client.crt and client.key; the shims read CORE_TLS_CLIENT_CERT_PATH and CORE_TLS_CLIENT_KEY_PATH) "
                + "so that no other client can register in its place"))
        }
        let deployments = chaincodeConnections.entries.values
            .filter { ledgers[$0.channel] != nil }
            .map { RegisterAcceptance.Deployment(channel: $0.channel, name: $0.name, chaincodeID: $0.chaincodeID, address: $0.address) }
        switch RegisterAcceptance.decide(message, deployments: deployments) {
        case .refuse(let text):
            return .failure(RegistrationRefused(text))
        case .accept(let name, let chaincodeID, let registeredID, let channels):
            loggers.chaincode.info("chaincode \(name) registered as \(registeredID) from \(remote) for \(channels.joined(separator: ", "))")
            return .success(dialInClient(name: name, chaincodeID: chaincodeID))
        }
    }
}
