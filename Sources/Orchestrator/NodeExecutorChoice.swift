import Foundation
import OperationsEndpoint

/// Which executor `up` (and `fabnet start`) gives the nodes of a network, through
/// `FABNET_NODE_EXECUTOR` in each node's environment (read by `NodeExecutor.install`).
///
/// NIO's event loops (`loops`) when the network runs more than four nodes per core, else Swift's
/// own pool (`pool`). Measured on two cores (docs/benchmarks.md, "Node processes on their event
/// loops"): with 101 nodes each node is idle most of the time and every message woke threads, so
/// the loops made an idle 100-peer network 30 % cheaper and its start 17 % cheaper; with the 5
/// nodes of the default network each node is busy under load, and Swift's pool ran a Gateway
/// transaction with about 12 % less CPU than the loops.
///
/// Guarantees: a value the user set in the environment is kept (nothing is added); otherwise
/// exactly one of `loops` and `pool` is given.
public enum NodeExecutorChoice {
    /// The variables to add to a node's environment in a network of `nodes` on `cores` cores.
    public static func environment(nodes: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount,
                                   current: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        guard current[NodeExecutor.variable] == nil else { return [:] }
        return [NodeExecutor.variable: nodes > 4 * max(1, cores) ? "loops" : "pool"]
    }
}
