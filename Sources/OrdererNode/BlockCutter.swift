/// Decides when pending transactions become a block, with Fabric's batch semantics. Pure: it
/// takes transactions and timer events with the current time and returns what to do.
///
/// Rules (Fabric's `blockcutter`): a transaction larger than `preferredMaxBytes` is cut alone,
/// after cutting whatever was pending; one that would push the pending batch over
/// `preferredMaxBytes` first cuts the pending batch; a batch is cut when it reaches
/// `maxMessageCount`; a non-empty batch is cut when `batchTimeout` after its first transaction
/// expires. Transactions over `absoluteMaxBytes` never reach it (broadcast rejects them).
public struct BlockCutter<Transaction: Sendable>: Sendable {
    public struct Limits: Sendable, Equatable {
        public var maxMessageCount: Int
        public var preferredMaxBytes: Int
        public var batchTimeout: Duration

        public init(maxMessageCount: Int, preferredMaxBytes: Int, batchTimeout: Duration) {
            self.maxMessageCount = maxMessageCount
            self.preferredMaxBytes = preferredMaxBytes
            self.batchTimeout = batchTimeout
        }
    }

    /// What the shell must do.
    public enum Effect: Sendable {
        /// Make a block of these transactions, in this order.
        case cut([Transaction])
        /// Call `timerExpired(generation:)` at this instant (a newer timer replaces older ones).
        case startTimer(at: ContinuousClock.Instant, generation: Int)
    }

    public let limits: Limits
    private var pending: [Transaction] = []
    private var pendingBytes = 0
    private var timerGeneration = 0

    public init(limits: Limits) { self.limits = limits }

    public var pendingCount: Int { pending.count }

    /// The transactions waiting for the next cut, in order.
    public var pendingTransactions: [Transaction] { pending }

    /// A transaction of `size` bytes was accepted.
    public mutating func ordered(_ transaction: Transaction, size: Int, now: ContinuousClock.Instant) -> [Effect] {
        var effects: [Effect] = []
        if size > limits.preferredMaxBytes {
            if let batch = cutPending() { effects.append(.cut(batch)) }
            effects.append(.cut([transaction]))
            return effects
        }
        if pendingBytes + size > limits.preferredMaxBytes, let batch = cutPending() {
            effects.append(.cut(batch))
        }
        pending.append(transaction)
        pendingBytes += size
        if pending.count >= limits.maxMessageCount, let batch = cutPending() {
            effects.append(.cut(batch))
        } else if pending.count == 1 {
            timerGeneration += 1
            effects.append(.startTimer(at: now.advanced(by: limits.batchTimeout), generation: timerGeneration))
        }
        return effects
    }

    /// The timer of `generation` fired; a stale timer (the batch it was for was already cut) does nothing.
    public mutating func timerExpired(generation: Int) -> [Effect] {
        guard generation == timerGeneration, let batch = cutPending() else { return [] }
        return [.cut(batch)]
    }

    private mutating func cutPending() -> [Transaction]? {
        guard !pending.isEmpty else { return nil }
        defer {
            pending = []
            pendingBytes = 0
            timerGeneration += 1
        }
        return pending
    }
}
