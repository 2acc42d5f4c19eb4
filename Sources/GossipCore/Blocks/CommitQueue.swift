import FabnetModel

/// The commit bookkeeping of one channel at one peer: blocks waiting for their turn (the reorder
/// buffer), blocks handed to the shell to write and not confirmed yet (in flight), the confirmed
/// ledger height, the recent window kept for pull and state transfer, and the halt after a
/// failed write.
///
/// Guarantees:
/// - `height ≤ issued`. Blocks `height..<issued` are in flight. `store` hands blocks out strictly
///   in order, each once, and never while halted.
/// - `height` (the next block the ledger expects) moves only on `confirm` of the oldest block in
///   flight; any other confirmation is refused with a reason and changes nothing.
/// - `fail` halts: the reorder buffer is emptied, nothing is handed out or stored any more, and
///   `height` stays at the last confirmed block. Confirmations after the halt are refused.
/// - A block is missing (to be pulled, transferred or requested) only while not halted, when it
///   is at or after `issued`, not buffered, and less than `bufferSize` after `issued` (farther
///   ahead is dropped, as Fabric; state transfer fetches it later). In-flight blocks are not
///   missing: a copy of one is a duplicate.
/// - The window holds the last `windowSize` blocks handed out (in-flight ones included).
struct CommitQueue: Sendable {
    /// What became of a stored block.
    enum Stored: Equatable {
        /// Buffered; these blocks (possibly none) are now in order and handed out for commit.
        case ready([GossipBlock])
        /// Already in flight, confirmed or buffered.
        case duplicate
        /// `bufferSize` or more after `issued`: dropped.
        case beyondBuffer
        /// The channel is halted: dropped.
        case halted
    }

    /// The next block the ledger expects (every block below it is confirmed written).
    private(set) var height: UInt64
    /// The next block to hand out for commit.
    private(set) var issued: UInt64
    /// Why the channel halted, once a commit failed.
    private(set) var haltReason: String?
    private let bufferSize: UInt64
    private let windowSize: UInt64
    private var buffer: [UInt64: GossipBlock] = [:]
    private var recent: [UInt64: GossipBlock] = [:]

    init(height: UInt64, bufferSize: Int, windowSize: Int) {
        self.height = height
        issued = height
        self.bufferSize = UInt64(max(0, bufferSize))
        self.windowSize = UInt64(max(0, windowSize))
    }

    var isHalted: Bool { haltReason != nil }
    /// The blocks handed out and not confirmed yet.
    var inFlight: Range<UInt64> { height..<issued }
    /// Whether a block after `issued` is here while the one at `issued` is not.
    var hasGap: Bool { !buffer.isEmpty }
    /// The highest block buffered, else `issued` (what a gap check compares against).
    var highestHeld: UInt64 { buffer.keys.max() ?? issued }
    /// The numbers of every block held (window and buffer), ascending (a pull digest).
    var heldNumbers: [UInt64] { (Array(recent.keys) + Array(buffer.keys)).sorted() }

    func isMissing(_ number: UInt64) -> Bool {
        !isHalted && number >= issued && buffer[number] == nil && number < issued + bufferSize
    }

    /// A block of the window or the buffer (for a pull request).
    func held(_ number: UInt64) -> GossipBlock? { recent[number] ?? buffer[number] }

    /// A block of the window (handed out for commit, confirmed or in flight).
    func recentBlock(_ number: UInt64) -> GossipBlock? { recent[number] }

    mutating func store(_ block: GossipBlock) -> Stored {
        guard !isHalted else { return .halted }
        guard block.number >= issued, buffer[block.number] == nil else { return .duplicate }
        guard block.number < issued + bufferSize else { return .beyondBuffer }
        buffer[block.number] = block
        var ready: [GossipBlock] = []
        while let next = buffer.removeValue(forKey: issued) {
            ready.append(next)
            recent[next.number] = next
            if next.number >= windowSize { recent[next.number - windowSize] = nil }
            issued += 1
        }
        return .ready(ready)
    }

    /// The shell wrote block `number`. Nil when taken; else why it was refused (nothing changed).
    mutating func confirm(_ number: UInt64) -> String? {
        if let haltReason { return "block \(number) confirmed after the channel halted (\(haltReason)); ignored" }
        guard !inFlight.isEmpty else { return "block \(number) confirmed, but no block is in flight (height \(height)); ignored" }
        guard number == height else {
            return "block \(number) confirmed, but the oldest block in flight is \(height) (in flight: \(height)..<\(issued)); ignored"
        }
        height += 1
        return nil
    }

    /// The shell could not write block `number`: the channel halts (once). Returns whether this
    /// call halted it, and a note when `number` was not the oldest block in flight (the halt
    /// happens anyway: the ledger's state is unknown).
    mutating func fail(_ number: UInt64, reason: String) -> (halted: Bool, note: String?) {
        guard !isHalted else { return (false, "block \(number) failed after the channel halted: \(reason); ignored") }
        let note = number == height && !inFlight.isEmpty
            ? nil : "block \(number) failed, but the oldest block in flight is \(height) (in flight: \(height)..<\(issued)); halting anyway"
        haltReason = "block \(number) not written: \(reason)"
        buffer.removeAll()
        return (true, note)
    }
}
