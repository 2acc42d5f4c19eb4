import Foundation
import OperationsEndpoint
import Orchestrator

/// What `fabnet ui`'s page shows at one moment: every node's status (`NetworkStatus`), the
/// gossip connections the peers opened (their operations endpoints' `/connections`), and each
/// channel's highest height, so the page can show blocks spreading.
///
/// Guarantees: every node of the state folder appears; a connection appears only when both of
/// its ends are nodes of the network (named by node name), once per dialling side; a node that
/// does not answer adds no connections.
struct NetworkPicture: Encodable {
    let version: String
    let state: String
    /// Milliseconds since 1970, when the picture was taken.
    let time: Int64
    let nodes: [NetworkStatus.Node]
    let connections: [Connection]
    /// The highest height any node reports, per channel.
    let highest: [String: UInt64]

    /// One gossip connection, from the peer that dialled it to the node it reaches.
    struct Connection: Encodable, Equatable {
        let from: String
        let to: String
        let state: String
    }

    /// The body of a peer's `/connections`.
    struct ConnectionsBody: Decodable {
        struct Entry: Decodable {
            let endpoint: String
            let state: String
        }
        let connections: [Entry]
    }

    static func take(manifest: NetworkState.Manifest, state: NetworkState, clients: NodeClients) async -> NetworkPicture {
        let status = await NetworkStatus.collect(manifest: manifest, state: state, clients: clients)
        let byEndpoint = Dictionary(manifest.nodes.map { ("\($0.host):\($0.port)", $0.name) }, uniquingKeysWith: { first, _ in first })
        let connections = await withTaskGroup(of: [Connection].self) { group in
            for node in status.nodes where node.role == "peer" && node.state == "up" {
                group.addTask {
                    guard let response = try? await HTTPProbe.get(port: node.operationsPort, path: "/connections", timeout: 1),
                          response.status == 200,
                          let body = try? JSONDecoder().decode(ConnectionsBody.self, from: Data(response.body.utf8)) else { return [] }
                    return body.connections.compactMap { entry in
                        byEndpoint[entry.endpoint].map { Connection(from: node.name, to: $0, state: entry.state) }
                    }
                }
            }
            var all: [Connection] = []
            for await some in group { all += some }
            return all.sorted { ($0.from, $0.to) < ($1.from, $1.to) }
        }
        var highest: [String: UInt64] = [:]
        for node in status.nodes {
            for (channel, height) in node.heights { highest[channel] = max(highest[channel] ?? 0, height) }
        }
        return NetworkPicture(version: status.version, state: status.state, time: Int64(Date().timeIntervalSince1970 * 1000),
                              nodes: status.nodes, connections: connections, highest: highest)
    }
}
