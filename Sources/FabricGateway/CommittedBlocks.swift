import FabricWire

/// A peer's committed chain of one channel, as the gateway reads it for `ChaincodeEvents`.
///
/// Contract: `block(n)` returns committed block `n` (with the peer's TRANSACTIONS_FILTER) for
/// every `n < height()`; `waitForBlock(n)` returns once block `n` is committed and throws
/// `CancellationError` when its task is cancelled; `blockNumber(ofTransaction:)` is the block
/// holding a committed transaction, whatever its validation code, or nil.
public protocol CommittedBlocks: Sendable {
    func height() async -> UInt64
    func block(_ number: UInt64) async throws -> Common_Block?
    func waitForBlock(_ number: UInt64) async throws
    func blockNumber(ofTransaction transactionID: String) async -> UInt64?
}
