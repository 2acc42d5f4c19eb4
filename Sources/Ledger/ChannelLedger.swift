import FabnetWire
import Foundation

/// One channel's ledger: the chain of blocks in an append-only file, an index from block number
/// to file offset, and the world state. Not thread-safe: one owner (an actor or a single task).
///
/// Guarantees:
/// - Opening reads every record and checks the chain (number, previous hash, data hash). A torn
///   last record (the file ends inside it, or its checksum fails) is cut off and reported in
///   `OpenReport`; damage anywhere before the last record refuses to open, naming the block.
/// - `append` takes only the next block of the chain, and returns once it is durable (see
///   `LedgerDurability`).
public final class ChannelLedger {
    public let channel: String
    public let directory: URL
    private let file: BlockFile
    private var offsets: [Int] = []
    public private(set) var state = WorldState()
    /// Header hash of the last block (`nil` while empty).
    public private(set) var currentHash: Data?
    /// Header hash of the block before the last one.
    public private(set) var previousHash: Data?

    /// The number of blocks; the next block's number.
    public var height: UInt64 { UInt64(offsets.count) }

    /// What opening found.
    public struct OpenReport: Sendable, Equatable {
        public let blocks: UInt64
        /// Bytes of a torn last record that were cut off (0 when the file was clean).
        public let truncatedBytes: Int
    }

    /// Opens (or creates) `directory/blocks.dat`.
    public static func open(directory: URL, channel: String, durability: LedgerDurability = .fsyncEachAppend) throws -> (ChannelLedger, OpenReport) {
        let existed = FileManager.default.fileExists(atPath: directory.path)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw LedgerError.io(path: directory.path, operation: "create folder", errno: EACCES)
        }
        if !existed, durability == .fsyncEachAppend { BlockFile.syncDirectory(of: directory.path) }
        let file = try BlockFile(path: directory.appendingPathComponent("blocks.dat").path, durability: durability)
        let ledger = ChannelLedger(channel: channel, directory: directory, file: file)
        let truncated = try ledger.recover()
        return (ledger, OpenReport(blocks: ledger.height, truncatedBytes: truncated))
    }

    private init(channel: String, directory: URL, file: BlockFile) {
        self.channel = channel
        self.directory = directory
        self.file = file
    }

    /// Scans the file, checks the chain, rebuilds index and state; returns bytes cut off.
    private func recover() throws -> Int {
        var offset = 0
        while offset < file.size {
            switch try file.scan(at: offset) {
            case let .intact(start, payload, end):
                let block: WireBlock
                do {
                    block = try WireBlock(serializedBytes: payload)
                } catch {
                    throw LedgerError.corrupted(channel: channel, block: height, offset: start, reason: "block does not decode")
                }
                do {
                    try check(block)
                } catch let error as LedgerError {
                    throw LedgerError.corrupted(channel: channel, block: height, offset: start, reason: error.description)
                }
                record(block, at: start)
                offset = end
            case let .tornTail(start):
                let cut = file.size - start
                try file.truncate(to: start)
                return cut
            case let .damaged(start, reason):
                throw LedgerError.corrupted(channel: channel, block: height, offset: start, reason: reason)
            }
        }
        return 0
    }

    /// Appends the next block; returns once it is durable.
    public func append(_ block: WireBlock) throws {
        try append(block, serialized: try block.serializedBytes())
    }

    /// The same, with the bytes `block` was decoded from (not encoded again).
    public func append(_ block: WireBlock, serialized bytes: [UInt8]) throws {
        try check(block)
        let offset = try file.append(bytes)
        record(block, at: offset)
    }

    /// The same for a block whose hashes are already computed (see `HashedBlock`): the chain is
    /// checked (number, previous hash), nothing is parsed or hashed again.
    public func append(_ block: HashedBlock) throws {
        try checkChain(block.block.header)
        let offset = try file.append(block.bytes)
        record(block.block, headerHash: block.headerHash, at: offset)
    }

    /// The block with this number, or `nil` above the height.
    public func block(_ number: UInt64) throws -> WireBlock? {
        guard number < height else { return nil }
        let offset = offsets[Int(number)]
        do {
            return try WireBlock(serializedBytes: try file.payload(at: offset))
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.corrupted(channel: channel, block: number, offset: offset, reason: "block does not decode")
        }
    }

    /// The stored bytes of block `number` (its serialization as appended), or `nil` above the
    /// height: what a peer serves to another without decoding it.
    public func blockBytes(_ number: UInt64) throws -> [UInt8]? {
        guard number < height else { return nil }
        return try file.payload(at: offsets[Int(number)])
    }

    /// The header hash fabnet chains blocks with.
    public static func headerHash(_ header: WireBlockHeader) -> Data {
        BlockHasher.headerHash(number: header.number, previousHash: header.previousHash, dataHash: header.dataHash)
    }

    private func checkChain(_ header: WireBlockHeader) throws {
        guard header.number == height else { throw LedgerError.outOfOrder(channel: channel, expected: height, got: header.number) }
        guard header.previousHash == (currentHash ?? Data()) else {
            throw LedgerError.previousHashMismatch(channel: channel, block: header.number)
        }
    }

    private func check(_ block: WireBlock) throws {
        let header = block.header
        try checkChain(header)
        guard header.dataHash == BlockHasher.dataHash(block.data.transactions) else {
            throw LedgerError.dataHashMismatch(channel: channel, block: header.number)
        }
    }

    private func record(_ block: WireBlock, at offset: Int) {
        record(block, headerHash: Self.headerHash(block.header), at: offset)
    }

    private func record(_ block: WireBlock, headerHash: Data, at offset: Int) {
        offsets.append(offset)
        previousHash = currentHash
        currentHash = headerHash
        state.apply(block)
    }
}
