import FabnetModel

/// The last `capacity` events of a simulation, oldest first, to show what led to a failure.
struct EventTrace<Event> {
    let capacity: Int
    private var entries: [(GossipTime, Event)] = []
    private var next = 0

    init(capacity: Int) { self.capacity = capacity }

    mutating func record(_ event: Event, at time: GossipTime) {
        if entries.count < capacity {
            entries.append((time, event))
        } else {
            entries[next] = (time, event)
        }
        next = (next + 1) % capacity
    }

    var ordered: [(GossipTime, Event)] {
        entries.count < capacity ? entries : Array(entries[next...] + entries[..<next])
    }
}
