import FabnetModel

/// Decides which "cannot reach" lines a peer logs: the first failure to reach an endpoint at
/// once, then at most one line per `interval` for it (with how many failures it did not log),
/// and one line when the endpoint is reached again. Pure: time (on the node's `NodeClock`) is passed in.
///
/// Guarantees: a node that stays down costs one line per `interval`, however often gossip dials
/// it (it dialled on every message, one line each); every line names the node by its endpoint.
public struct UnreachableLog: Sendable {
    public let interval: Duration
    private var reported: [Endpoint: (lastLine: Duration, unlogged: Int)] = [:]

    public init(interval: Duration = .seconds(5)) { self.interval = interval }

    /// A dial to `endpoint` failed with `reason`: the line to log now, if any. `reason` is
    /// evaluated only for a line returned.
    public mutating func failed(_ endpoint: Endpoint, reason: @autoclosure () -> String, now: Duration) -> String? {
        guard let entry = reported[endpoint] else {
            reported[endpoint] = (now, 0)
            return "cannot reach \(endpoint): \(reason()) (said again at most every \(interval.components.seconds) s while it lasts)"
        }
        guard now - entry.lastLine >= interval else {
            reported[endpoint] = (entry.lastLine, entry.unlogged + 1)
            return nil
        }
        reported[endpoint] = (now, 0)
        return "still cannot reach \(endpoint): \(reason()) (\(entry.unlogged + 1) failed attempts since the last line)"
    }

    /// A connection to `endpoint` worked: the line to log, if it was reported unreachable.
    public mutating func reached(_ endpoint: Endpoint) -> String? {
        guard reported.removeValue(forKey: endpoint) != nil else { return nil }
        return "reached \(endpoint) again"
    }
}
