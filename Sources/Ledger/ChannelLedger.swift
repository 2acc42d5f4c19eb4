import FabricWire
import Foundation

/// One channel's ledger: Fabric blocks in an append-only file, an index from block number to
/// file offset, the transaction id index and the world state. Not thread-safe: one owner (an
/// actor or a single task).
///
/// Guarantees:
/// - Opening reads every record and checks the chain (number, previous hash = Fabric's header
///   hash of the block before, data hash). A torn last record (the file ends inside it, or its
///   checksum fails) is cut off and reported in `OpenReport`; damage anywhere before the last
///   record refuses to open, naming the block. A folder from an older fabnet (its `blocks.dat`
///   held fabnet's own block format) is refused with what to do.
/// - `append` takes only the next block of the chain whose entries are well formed, and returns
///   once it is durable (see `LedgerDurability`). A peer's block is stored with its
///   TRANSACTIONS_FILTER; only VALID transactions change the world state.
public final class ChannelLedger {
    public let channel: String
    public let directory: URL
    private let file: BlockFile
    private var offsets: [Int] = []
    public private(set) var state = WorldState()
    public private(set) var transactions = TransactionIndex()
    /// Header hash of the last block (`nil` while empty).
    public private(set) var currentHash: Data?
    /// Header hash of the block before the last one.
    public private(set) var previousHash: Data?

    /// The file a ledger keeps its blocks in, and the one older fabnets used.
    static let blockFileName = "blocks.fabric"
    static let olderBlockFileName = "blocks.dat"

    /// The number of blocks; the next block's number.
    public var height: UInt64 { UInt64(offsets.count) }

    /// What opening found.
    public struct OpenReport: Sendable, Equatable {
        public let blocks: UInt64
        /// Bytes of a torn last record that were cut off (0 when the file was clean).
        public let truncatedBytes: Int
    }

    /// Opens (or creates) `directory/blocks.fabric`.
    public static func open(directory: URL, channel: String, durability: LedgerDurability = .fsyncEachAppend) throws -> (ChannelLedger, OpenReport) {
        let existed = FileManager.default.fileExists(atPath: directory.path)
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent(olderBlockFileName).path) {
            throw LedgerError.olderFormat(path: directory.path)
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw LedgerError.io(path: directory.path, operation: "create folder", errno: EACCES)
        }
        if !existed, durability == .fsyncEachAppend { BlockFile.syncDirectory(of: directory.path) }
        let file = try BlockFile(path: directory.appendingPathComponent(blockFileName).path, durability: durability)
        let ledger = ChannelLedger(channel: channel, directory: directory, file: file)
        let truncated = try ledger.recover()
        return (ledger, OpenReport(blocks: ledger.height, truncatedBytes: truncated))
    }

    private init(channel: String, directory: URL, file: BlockFile) {
        self.channel = channel
        self.directory = directory
        self.file = file
    }

    /// Scans the file, checks the chain, rebuilds the indexes and state; returns bytes cut off.
    private func recover() throws -> Int {
        var offset = 0
        while offset < file.size {
            switch try file.scan(at: offset) {
            case let .intact(start, payload, end):
                let block: Common_Block
                do {
                    block = try Common_Block(serializedBytes: payload)
                } catch {
                    throw LedgerError.corrupted(channel: channel, block: height, offset: start, reason: "block does not decode")
                }
                do {
                    try checkChain(block.header)
                    guard BlockDataRules.dataHash(block.data.data) == block.header.dataHash else {
                        throw LedgerError.dataHashMismatch(channel: channel, block: block.header.number)
                    }
                } catch let error as LedgerError {
                    throw LedgerError.corrupted(channel: channel, block: height, offset: start, reason: error.description)
                }
                record(block.header, hash: BlockHeaderBytes.hash(block.header), effects: BlockEffects.read(block), at: start)
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

    /// Appends the next block as it is (an orderer's block, or block 0), after checking its
    /// chain, data hash and well-formedness; returns once it is durable. Its effects are read
    /// from its own TRANSACTIONS_FILTER (none: nothing changes the world state).
    public func append(_ block: Common_Block) throws {
        let bytes: [UInt8] = try block.serializedBytes()
        let hashed: HashedBlock
        do {
            hashed = try HashedBlock(block, serialized: bytes)
        } catch .dataHashMismatch {
            throw LedgerError.dataHashMismatch(channel: channel, block: block.header.number)
        } catch let .notWellFormed(reason) {
            throw LedgerError.notWellFormed(channel: channel, block: block.header.number, reason: reason)
        }
        try checkChain(block.header)
        let offset = try file.append(bytes)
        record(block.header, hash: hashed.headerHash, effects: BlockEffects.read(block), at: offset)
    }

    /// Appends a peer's validated block: stored with one flag per transaction in its
    /// TRANSACTIONS_FILTER; the VALID ones' writes change the world state. Nothing is parsed or
    /// hashed again (see `HashedBlock`).
    public func append(_ block: HashedBlock, effects: [TransactionEffect]) throws {
        try checkChain(block.block.header)
        precondition(effects.count == block.block.data.data.count, "one effect per transaction")
        var flagged = block.block
        BlockMetadataLayout.setTransactionsFilter(effects.map(\.code), in: &flagged)
        let offset = try file.append(try flagged.serializedBytes())
        record(block.block.header, hash: block.headerHash, effects: effects, at: offset)
    }

    /// The block with this number, or `nil` above the height.
    public func block(_ number: UInt64) throws -> Common_Block? {
        guard number < height else { return nil }
        let offset = offsets[Int(number)]
        do {
            return try Common_Block(serializedBytes: try file.payload(at: offset))
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.corrupted(channel: channel, block: number, offset: offset, reason: "block does not decode")
        }
    }

    /// The stored bytes of block `number` (with this peer's flags), or `nil` above the height:
    /// what a peer serves to another without decoding it.
    public func blockBytes(_ number: UInt64) throws -> [UInt8]? {
        guard number < height else { return nil }
        return try file.payload(at: offsets[Int(number)])
    }

    private func checkChain(_ header: Common_BlockHeader) throws {
        guard header.number == height else { throw LedgerError.outOfOrder(channel: channel, expected: height, got: header.number) }
        guard header.previousHash == (currentHash ?? Data()) else {
            throw LedgerError.previousHashMismatch(channel: channel, block: header.number)
        }
    }

    private func record(_ header: Common_BlockHeader, hash: Data, effects: [TransactionEffect], at offset: Int) {
        offsets.append(offset)
        previousHash = currentHash
        currentHash = hash
        for (index, effect) in effects.enumerated() {
            let version = Version(block: header.number, transaction: UInt64(index))
            transactions.record(effect.txID, TransactionLocation(block: header.number, index: UInt64(index), code: effect.code))
            for namespace in effect.writes {
                state.apply(namespace.set.writes, namespace: namespace.namespace, version: version)
            }
        }
    }
}
