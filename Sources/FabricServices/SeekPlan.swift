import FabricWire

/// Which blocks a Deliver request asks for, resolved against the ledger's height when it arrives,
/// with Fabric's rules (`common/deliver`):
///
/// - start: Oldest → 0, Newest → height − 1, Specified(n) → n, NextCommit → height;
/// - stop: Oldest → the start, Newest → height − 1 (the start when start and stop are both
///   Newest, so exactly one block is sent), Specified(n) → n (before the start → `BAD_REQUEST`),
///   NextCommit → no stop: Fabric leaves its stop number at 0, which a stream starting above 0 never
///   reaches, so it follows the chain until the client hangs up (so does a Newest stop below a later
///   start);
/// - `FAIL_IF_NOT_READY`: before each block, a block at or above the height ends the stream with
///   `NOT_FOUND` (blocks already sent stay sent); `BLOCK_UNTIL_READY` waits for it instead.
///
/// Guarantees: a plan exists only when it is valid; its blocks are `first`, `first + 1`, … up to and
/// including `last` (or without end when `last` is nil). Pure: no I/O, no clock.
public struct SeekPlan: Sendable, Equatable {
    public let first: UInt64
    /// The last block to send, or nil to follow the chain until the client hangs up.
    public let last: UInt64?
    public let behavior: Orderer_SeekInfo.SeekBehavior
    /// `STRICT` or `BEST_EFFORT`: how the backend treats a block it cannot fully return (Fabric's
    /// orderer ignores it; its peer's block-and-private-data delivery reads it).
    public let errorResponse: Orderer_SeekInfo.SeekErrorResponse
    /// `BLOCK` or `HEADER_WITH_SIG` (a block without data, for clients that only follow headers).
    public let contentType: Orderer_SeekInfo.SeekContentType

    /// What to do about the next block, given the ledger's height now.
    public enum Step: Sendable, Equatable {
        /// The block is committed: send it.
        case send(UInt64)
        /// The block is not there yet and the client asked to wait (`BLOCK_UNTIL_READY`).
        case wait(for: UInt64)
        /// The block is not there and the client asked not to wait: answer `NOT_FOUND`.
        case notFound(UInt64)
        /// Every requested block was sent: answer `SUCCESS`.
        case done
    }

    public init(_ seekInfo: Orderer_SeekInfo, height: UInt64) throws(DeliverRejection) {
        guard seekInfo.hasStart, seekInfo.hasStop else {
            throw DeliverRejection(.badRequest, "the SeekInfo lacks a \(seekInfo.hasStart ? "stop" : "start") position")
        }
        let newest = height == 0 ? 0 : height - 1
        let first: UInt64
        switch seekInfo.start.type {
        case .oldest: first = 0
        case .newest: first = newest
        case .specified(let position): first = position.number
        case .nextCommit: first = height
        case nil: throw DeliverRejection(.badRequest, "the SeekInfo's start position has no type (oldest, newest, specified or next_commit)")
        }
        let last: UInt64?
        switch seekInfo.stop.type {
        case .oldest: last = first
        case .newest: last = seekInfo.start == seekInfo.stop ? first : newest
        case .specified(let position):
            guard position.number >= first else {
                throw DeliverRejection(.badRequest, "the SeekInfo starts at block \(first) but stops at block \(position.number), before it")
            }
            last = position.number
        case .nextCommit: last = first == 0 ? 0 : nil
        case nil: throw DeliverRejection(.badRequest, "the SeekInfo's stop position has no type (oldest, newest, specified or next_commit)")
        }
        self.first = first
        // Stop = Newest below a later start (say Specified(10) on a 5-block ledger): Fabric's stop
        // number is then never met, so it follows the chain; so does this plan.
        self.last = last.flatMap { $0 >= first ? $0 : nil }
        self.behavior = seekInfo.behavior
        self.errorResponse = seekInfo.errorResponse
        self.contentType = seekInfo.contentType
    }

    /// The step for block `number` (the next one to send: `first` at the start, then one more than
    /// the last sent) when the ledger has `height` blocks.
    public func step(next number: UInt64, height: UInt64) -> Step {
        if let last, number > last { return .done }
        if number < height { return .send(number) }
        return behavior == .failIfNotReady ? .notFound(number) : .wait(for: number)
    }

    /// The block as the client asked for it: whole, or for `HEADER_WITH_SIG` with its data left out
    /// (header and metadata, with the orderer's signatures, stay) — except a config block, which
    /// Fabric always sends whole.
    public func shaped(_ block: Common_Block) -> Common_Block {
        guard contentType == .headerWithSig, !block.isConfigBlock else { return block }
        var header = block
        header.clearData()
        return header
    }
}

extension Common_Block {
    /// Whether the block's single entry is a CONFIG envelope (Fabric's `IsConfigBlock`); false for
    /// anything that does not decode.
    var isConfigBlock: Bool {
        guard data.data.count == 1,
              let envelope = try? Common_Envelope(serializedBytes: data.data[0]),
              let payload = try? Common_Payload(serializedBytes: envelope.payload), payload.hasHeader,
              let header = try? Common_ChannelHeader(serializedBytes: payload.header.channelHeader)
        else { return false }
        return header.type == Int32(Common_HeaderType.config.rawValue)
    }
}
