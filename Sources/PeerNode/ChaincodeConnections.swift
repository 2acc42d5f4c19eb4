import FabnetWire
import Foundation
import SwiftProtobuf

/// The chaincode servers a peer reaches (chaincode as a service), kept in its home as
/// `chaincodes.json`: one connection per channel and chaincode name, written by `fabnet chaincode
/// deploy` through an admin request and read again at start.
///
/// Guarantees: a saved connection survives a restart; saving replaces the entry of the same
/// channel and name atomically (a write to a new file, then a rename), so a crash mid-write leaves
/// the previous file; a file that cannot be read is an error naming it and what to do.
struct ChaincodeConnections: Sendable {
    let file: URL
    private(set) var entries: [String: WireChaincodeConnection] = [:]

    static func key(channel: String, name: String) -> String { "\(channel)/\(name)" }

    /// Reads `file` (no file: no connections).
    static func load(_ file: URL) throws -> ChaincodeConnections {
        var result = ChaincodeConnections(file: file)
        guard let data = try? Data(contentsOf: file) else { return result }
        do {
            guard let list = try JSONSerialization.jsonObject(with: data) as? [Any] else { throw PeerError.configuration("not a JSON list") }
            for item in list {
                let connection = try WireChaincodeConnection(jsonUTF8Data: try JSONSerialization.data(withJSONObject: item))
                result.entries[key(channel: connection.channel, name: connection.name)] = connection
            }
        } catch {
            throw PeerError.configuration("\(file.path) is not a list of chaincode connections (\(error)); deploy again with `fabnet chaincode deploy` or remove the file")
        }
        return result
    }

    func connection(channel: String, name: String) -> WireChaincodeConnection? { entries[Self.key(channel: channel, name: name)] }

    /// Saves `connection`, replacing the one of its channel and name.
    mutating func save(_ connection: WireChaincodeConnection) throws {
        var updated = entries
        updated[Self.key(channel: connection.channel, name: connection.name)] = connection
        // A JSON list of proto3 JSON objects (`channel`, `name`, `address`, `chaincodeId`, `tlsRootCertificate`).
        let list = try updated.keys.sorted().map { try JSONSerialization.jsonObject(with: try updated[$0]!.jsonUTF8Data()) }
        try JSONSerialization.data(withJSONObject: list, options: [.prettyPrinted, .sortedKeys]).write(to: file, options: .atomic)
        entries = updated
    }
}
