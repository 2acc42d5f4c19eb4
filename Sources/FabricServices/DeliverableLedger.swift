import FabricWire

/// A chain as Deliver reads it: its height, its blocks by number, and a way to wait for the next.
///
/// Contract: `block(n)` returns the committed block `n` for every `n < height`; `waitForBlock(n)`
/// returns once block `n` is committed and throws `CancellationError` when the task is cancelled.
public protocol DeliverableLedger: Sendable {
    func height() async -> UInt64
    func block(_ number: UInt64) async throws -> Common_Block?
    func waitForBlock(_ number: UInt64) async throws
}

extension SeekPlan {
    /// Walks the plan over `ledger`: sends each requested block (shaped for the content type) as it
    /// is committed, and returns the final status — `SUCCESS` after the last block, `NOT_FOUND`
    /// for a missing block with `FAIL_IF_NOT_READY`. Follows the chain forever when the plan has no
    /// end (it ends when `send` throws or the task is cancelled).
    public func deliver(from ledger: some DeliverableLedger,
                        send: (Common_Block) async throws -> Void) async throws -> Common_Status {
        var next = first
        while true {
            switch step(next: next, height: await ledger.height()) {
            case .done:
                return .success
            case .notFound:
                return .notFound
            case .wait(let number):
                try await ledger.waitForBlock(number)
            case .send(let number):
                guard let block = try await ledger.block(number) else {
                    // The ledger said it had the block; its absence is the server's fault.
                    return .internalServerError
                }
                try await send(shaped(block))
                next = number + 1
            }
        }
    }
}
