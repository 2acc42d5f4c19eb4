import FabnetWire
import FabricWire
import Synchronization
@testable import PeerNode

/// An `OrdererBlockSource` the test feeds: `deliver` hands over the blocks `publish` was given
/// (those published before a stream opened first), in order, until the stream is cancelled.
///
/// Guarantees: every `deliver` call is recorded with its channel and start; a block is given to
/// one stream only (the one open when it is published, or the next one to open).
final class FakeOrderer: OrdererBlockSource {
    private struct State {
        var requests: [(channel: String, start: UInt64)] = []
        var waiting: [[UInt8]] = []
        var stream: AsyncStream<[UInt8]>.Continuation?
    }

    private let state = Mutex(State())

    let name = "orderer.example.com:7050 (fake)"

    /// The `deliver` calls so far: channel and first block asked for.
    var requests: [(channel: String, start: UInt64)] { state.withLock { $0.requests } }

    /// Hands `block` to the open deliver stream (or the next one).
    func publish(_ block: Common_Block) {
        let block: [UInt8] = try! block.serializedBytes()
        state.withLock { state in
            if let stream = state.stream { stream.yield(block) } else { state.waiting.append(block) }
        }
    }

    func deliver(channel: String, from start: UInt64,
                 onBlock: @escaping @Sendable ([UInt8]) async throws -> Bool) async throws -> (status: WireStatus, info: String) {
        let (blocks, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        state.withLock { state in
            state.requests.append((channel, start))
            for block in state.waiting { continuation.yield(block) }
            state.waiting = []
            state.stream = continuation
        }
        defer { state.withLock { $0.stream = nil } }
        for await block in blocks {
            if try await !onBlock(block) { return (.success, "stopped by the client") }
        }
        return (.serviceUnavailable, "the fake orderer's stream ended")
    }
}
