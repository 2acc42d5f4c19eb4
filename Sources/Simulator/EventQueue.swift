import FabnetModel

/// Events ordered by time, then by insertion (so equal times keep a deterministic order): a
/// binary min-heap of small keys; the events themselves stay put in slots, so sifting moves
/// 24 bytes instead of whole messages.
struct EventQueue<Event> {
    private struct Key {
        let time: GossipTime
        let order: UInt64
        let slot: Int

        func precedes(_ other: Key) -> Bool { time < other.time || (time == other.time && order < other.order) }
    }

    private var heap: [Key] = []
    private var slots: [Event?] = []
    private var freeSlots: [Int] = []
    private var inserted: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var nextTime: GossipTime? { heap.first?.time }

    mutating func push(_ event: Event, at time: GossipTime) {
        inserted += 1
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = event
        } else {
            slot = slots.count
            slots.append(event)
        }
        heap.append(Key(time: time, order: inserted, slot: slot))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (time: GossipTime, event: Event)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let key = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        let event = slots[key.slot].take()!
        freeSlots.append(key.slot)
        return (key.time, event)
    }
}
