import Foundation

/// How a node process ended and what to do about it, read from its wait status and the last
/// lines of its log.
///
/// Guarantees: the fix names every command needed, with the node's name and the state folder;
/// for a damaged ledger it moves the channel's ledger aside (nothing is deleted) and joins the
/// channel again, so the peer fetches the chain from the others.
public struct NodeExit: Sendable, CustomStringConvertible {
    public let node: String
    /// "exit code 1", "killed by signal 9", or why it is not known.
    public let status: String
    public let logTail: String
    public let fix: String

    public var description: String {
        "\(node) exited during start (\(status))\n--- last log lines ---\n\(logTail)\nfix: \(fix)"
    }

    /// The exit of `node`, reaping it if this process spawned it.
    public static func of(_ node: NetworkState.Node, state: NetworkState) -> NodeExit {
        let tail = state.logTail(of: node.name, lines: 12)
        return NodeExit(node: node.name, status: waitStatus(of: node.pid), logTail: tail,
                        fix: fix(for: node, logTail: tail, state: state))
    }

    /// A wait status in words (reaps the process if it is our child and has exited).
    ///
    /// A child that is exiting may not be waitable for a moment after /proc shows it gone (seen
    /// under load: the check that it stopped running came first), so a child still there is
    /// waited for up to `patience` seconds before its status is called unknown.
    public static func waitStatus(of pid: Int32?, patience: Double = 2) -> String {
        guard let pid else { return "no pid recorded" }
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .milliseconds(Int(patience * 1000))
        var reaped = waitpid(pid, &status, WNOHANG)
        while reaped == 0, ContinuousClock.now < deadline {
            usleep(10_000)  // a blocking CLI path: the exit is milliseconds away
            reaped = waitpid(pid, &status, WNOHANG)
        }
        guard reaped == pid else { return "pid \(pid); not our child, so its exit status is unknown" }
        return status & 0x7F == 0 ? "exit code \((status >> 8) & 0xFF)" : "killed by signal \(status & 0x7F)"
    }

    static func fix(for node: NetworkState.Node, logTail: String, state: NetworkState) -> String {
        let stateFlag = NetworkState.stateFlag(for: state.directory.path)
        if let channel = damagedLedgerChannel(in: logTail) {
            guard node.role == "peer" else {
                return "its ledger of \(channel) is damaged, and an orderer has no peer to rebuild it from: restore \(state.home(of: node.name).appendingPathComponent("ledger").path) from a copy, or make the network anew with `fabnet down --clean\(stateFlag)` then `fabnet up`"
            }
            return "its ledger of \(channel) is damaged. Rebuild it from the network (the damaged file is kept aside): `fabnet rebuild \(node.name)\(stateFlag)`"
        }
        if logTail.contains("Address already in use") || logTail.contains("address already in use") {
            return "its port \(node.port) or \(node.operationsPort) is taken by another process: stop that process (`ss -ltnp | grep \(node.port)`), then `fabnet start \(node.name)\(stateFlag)`"
        }
        return "read its log (`fabnet logs \(node.name) --tail 50\(stateFlag)`), mend what it names, then `fabnet start \(node.name)\(stateFlag)`"
    }

    /// The channel a `LedgerError.corrupted` message in `log` names ("ledger of channel X is corrupted").
    static func damagedLedgerChannel(in log: String) -> String? {
        guard let range = log.range(of: "ledger of channel ", options: .backwards) else { return nil }
        let rest = log[range.upperBound...]
        guard let name = rest.split(separator: " ").first, rest.dropFirst(name.count).hasPrefix(" is corrupted") else { return nil }
        return String(name)
    }
}
