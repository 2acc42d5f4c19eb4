import ChaincodeRuntime
import FabnetWire
import Foundation

/// The peer's connections to chaincode servers (chaincode as a service): one `ChaincodeClient`
/// per channel and chaincode, made on first use from the connection `fabnet chaincode deploy`
/// left in the home, run as a child task of the peer's service (it dials, registers and
/// reconnects by itself), replaced when the deploy names another address.
///
/// Guarantees: a call to a chaincode no server is known for fails at once saying which command
/// gives it one; a client ends with the peer.
extension PeerService {
    static func chaincodeKey(channel: String, name: String) -> String { "chaincode:\(channel)/\(name)" }

    func chaincodeClient(channel: String, name: String) throws -> ChaincodeClient {
        guard !stopped else { throw PeerError.notAllowed("this peer is stopping; ask another peer") }
        guard let connection = chaincodeConnections.connection(channel: channel, name: name) else {
            throw PeerError.notAllowed("no server is known for chaincode \(name) on \(channel) at this peer: fabnet chaincode deploy \(name) --address HOST:PORT -c \(channel)")
        }
        let key = Self.chaincodeKey(channel: channel, name: name)
        if let existing = chaincodeClients[key], existing.connection == connection, tasks.isRunning(key) { return existing.client }
        tasks.cancel(key)
        let tls = connection.tlsRootCertificate.isEmpty ? nil : ChaincodeTLS(rootCertificatesPEM: connection.tlsRootCertificate)
        let endpoint = try ChaincodeEndpoint(address: connection.address, tls: tls)
        let client = ChaincodeClient(name: name, chaincodeID: connection.chaincodeID.isEmpty ? name : connection.chaincodeID, endpoint: endpoint)
        chaincodeClients[key] = (connection, client)
        tasks.start(key) { try? await client.run() }
        return client
    }
}
