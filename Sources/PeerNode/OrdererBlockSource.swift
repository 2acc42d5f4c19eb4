import FabnetClient
import FabnetWire

/// Where a leader peer pulls a channel's blocks from: the orderer's deliver service
/// (`OrdererClient`), or a fake in tests.
///
/// Contract for an implementation: `deliver` hands the channel's blocks from number `start` on,
/// in order, to `onBlock`, waiting for blocks not cut yet, until `onBlock` returns false (then it
/// returns), the source ends the stream (it returns the status and why), or the connection fails
/// (it throws). It ends soon after its task is cancelled. Blocks are not verified here: the peer
/// checks each one's orderer signature. Blocks are handed over as the encoded `common.Block` the
/// orderer sent, so the peer decodes each once and keeps its bytes.
public protocol OrdererBlockSource: Sendable {
    /// Where the blocks come from, for log lines (`host:port`).
    var name: String { get }

    func deliver(channel: String, from start: UInt64,
                 onBlock: @escaping @Sendable ([UInt8]) async throws -> Bool) async throws -> (status: WireStatus, info: String)
}

extension OrdererClient: OrdererBlockSource {
    public var name: String { "\(serverHostname):\(port)" }

    /// `blocks(channel:start:stop:)` from `start` to the end of time, waiting for new blocks and keeping none.
    public func deliver(channel: String, from start: UInt64,
                        onBlock: @escaping @Sendable ([UInt8]) async throws -> Bool) async throws -> (status: WireStatus, info: String) {
        try await blockBytes(channel: channel, start: .number(start), stop: .number(UInt64.max), failIfNotReady: false, onBlock: onBlock)
    }
}
