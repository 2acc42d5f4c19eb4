import Synchronization

/// A bounded memo of what already passed a signature check, so a copy that arrives again (a
/// relayed heartbeat, a pushed block from a second peer) is not checked twice.
///
/// Guarantees: at most `capacity` entries (when full it is emptied: a forgotten entry is only
/// checked again, nothing else depends on it); safe to use from any task (one `Mutex`).
final class RecentlyVerified<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let capacity: Int
    private let entries: Mutex<[Key: Value]>

    init(capacity: Int = 4096) {
        self.capacity = capacity
        entries = Mutex([:])
    }

    func value(for key: Key) -> Value? { entries.withLock { $0[key] } }

    func insert(_ value: Value, for key: Key) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
