import Logging
import OperationsEndpoint

/// The peer's loggers, one per module of Fabric's log specification (`/logspec` sets their levels).
struct PeerLoggers: Sendable {
    let peer: Logger
    let gossip: Logger
    let ledger: Logger
    let deliver: Logger
    let comm: Logger
    let chaincode: Logger

    init(_ node: NodeLogger) {
        peer = node.logger("peer")
        gossip = node.logger("gossip")
        ledger = node.logger("ledger")
        deliver = node.logger("deliver")
        comm = node.logger("comm")
        chaincode = node.logger("chaincode")
    }
}
