/// Which refusals of hostile or broken input to log: once per sender and reason per window
/// (a minute), so a peer that floods forged messages costs one log line a minute, not one per
/// message. (Peers count every refusal in `fabnet_gossip_refused_total`.)
///
/// Guarantees: a pure value (time is passed in). The first refusal of a (sender, reason) logs;
/// the next ones within `window` do not, and the first one after it logs with how many were
/// held back. At most `capacity` pairs are remembered (the oldest is forgotten first), so a
/// flood of forged sender names cannot grow it without bound.
public struct RefusalLog: Sendable {
    struct Key: Hashable, Sendable {
        let sender: String
        let reason: String
    }

    public let window: Duration
    public let capacity: Int
    private var entries: [Key: (loggedAt: Duration, held: Int)] = [:]

    public init(window: Duration = .seconds(60), capacity: Int = 1024) {
        self.window = window
        self.capacity = capacity
    }

    /// Whether to log this refusal now, and how many of the same were held back since the last line.
    public mutating func note(sender: String, reason: String, now: Duration) -> (log: Bool, held: Int) {
        let key = Key(sender: sender, reason: reason)
        if let entry = entries[key], now - entry.loggedAt < window {
            entries[key] = (entry.loggedAt, entry.held + 1)
            return (false, 0)
        }
        let held = entries[key]?.held ?? 0
        if entries[key] == nil, entries.count >= capacity,
           let oldest = entries.min(by: { $0.value.loggedAt < $1.value.loggedAt })?.key {
            entries[oldest] = nil
        }
        entries[key] = (now, 0)
        return (true, held)
    }
}

