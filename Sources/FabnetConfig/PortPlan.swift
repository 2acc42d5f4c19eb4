import FabnetModel

/// A node of the description before its port is settled, with where it was described.
///
/// `portIsWritten` says whether the description gives the port (an anchor peer, `Peers.Port`,
/// an orderer endpoint, a consenter) or fabnet chose it (counted on from another node, or a
/// default). Only written ports can clash; chosen ones make way.
struct PlannedNode {
    var node: NodeSpec
    var portIsWritten: Bool
    var location: SourceLocation
    var path: String
}

/// Settles the ports of every node of a network so that no two nodes share one.
///
/// Guarantees: a port the description writes is kept; two nodes with the same written port are
/// an error (every node binds 127.0.0.1); a port fabnet chose moves up to the next port no other
/// node has, peers before orderers (so a peer keeps Fabric's usual 7051 when extra orderers were
/// counted on from 7050). The result is unique and in 1...65535. `fabnet up` hands out its own
/// ports from `--base-port` anyway; these are the description's ports, shown by `config show` and
/// used to tell which peer an anchor names.
struct PortPlan {
    let diagnostics: Diagnostics

    /// Settles `plans` in place (one list per org, in network order).
    func settle(_ plans: inout [[PlannedNode]]) {
        var taken: [Int: NodeSpec] = [:]
        for org in plans.indices {
            for index in plans[org].indices where plans[org][index].portIsWritten {
                let planned = plans[org][index]
                let node = planned.node
                guard let other = taken[node.port] else {
                    taken[node.port] = node
                    continue
                }
                let what = other.commonName == node.commonName ? "duplicate host:port \(node.endpoint)" :
                    "duplicate port \(node.port): \(other.endpoint) and \(node.endpoint) would both listen on 127.0.0.1:\(node.port)"
                diagnostics.error(what, at: planned.location, key: planned.path,
                                  hint: "give each node its own port (anchor peer Port, Peers.Port, OrdererEndpoints)")
            }
        }
        for role in [NodeRole.peer, .orderer] {
            for org in plans.indices {
                for index in plans[org].indices where !plans[org][index].portIsWritten && plans[org][index].node.role == role {
                    let port = Self.free(from: plans[org][index].node.port, taken: taken)
                    plans[org][index].node.port = port
                    taken[port] = plans[org][index].node
                }
            }
        }
    }

    /// The first port at or above `preferred` that no node has; past 65535 it wraps to 1024.
    static func free(from preferred: Int, taken: [Int: NodeSpec]) -> Int {
        let start = Endpoint.validPorts.contains(preferred) ? preferred : 1024
        let upper = Endpoint.validPorts.upperBound
        if let port = (start...upper).first(where: { taken[$0] == nil }) { return port }
        return (1024...upper).first { taken[$0] == nil } ?? start
    }
}
