import FabnetWire
import Foundation

/// The chaincode connections `fabnet chaincode deploy` (and `up`'s `Chaincodes`) gave the peers,
/// kept in the state folder's `chaincodes.json`, so a peer that was stopped during a deploy is
/// given them when `fabnet start` or `restart` brings it back (each peer keeps its own copy in
/// its home; this is the network's).
///
/// Guarantees: one entry per channel and chaincode name, the latest deploy's; the file is a JSON
/// list of proto3 JSON `ChaincodeConnection`s, written atomically and listed among what `up`
/// made (so `down --clean` removes it); a missing file is an empty record; an unreadable one is
/// an error that names it and says what to do.
public struct ChaincodeConnectionRecord: Sendable {
    public let file: URL
    private let state: NetworkState

    public init(state: NetworkState) {
        self.state = state
        file = state.directory.appendingPathComponent("chaincodes.json")
    }

    /// Every recorded connection, ordered by channel and name.
    public func all() throws -> [WireChaincodeConnection] {
        guard let data = try? Data(contentsOf: file) else { return [] }
        do {
            guard let list = try JSONSerialization.jsonObject(with: data) as? [Any] else { throw OrchestratorError.state("not a JSON list") }
            return try list.map { try WireChaincodeConnection(jsonUTF8Data: try JSONSerialization.data(withJSONObject: $0)) }
        } catch {
            throw OrchestratorError.state("\(file.path) is not a list of chaincode connections (\(error)); remove it and deploy again (fabnet chaincode deploy)")
        }
    }

    /// Records `connection`, replacing the one of its channel and name.
    public func save(_ connection: WireChaincodeConnection) throws {
        var byKey = Dictionary(try all().map { ("\($0.channel)/\($0.name)", $0) }, uniquingKeysWith: { $1 })
        byKey["\(connection.channel)/\(connection.name)"] = connection
        let list = try byKey.keys.sorted().map { try JSONSerialization.jsonObject(with: try byKey[$0]!.jsonUTF8Data()) }
        let existed = FileManager.default.fileExists(atPath: file.path)
        try JSONSerialization.data(withJSONObject: list, options: [.prettyPrinted, .sortedKeys]).write(to: file, options: .atomic)
        // Made by fabnet: `down --clean` removes it with the rest.
        if !existed, var manifest = try state.load(), manifest.created != nil {
            manifest.created?.add(before: ([], []), after: ([file.standardizedFileURL.path], []))
            try state.save(manifest)
        }
    }
}
