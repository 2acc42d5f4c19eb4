import FabricWire
import Foundation
import Testing
@testable import Ledger

/// Builds chains of Fabric blocks whose transactions write keys in namespace `fabnet`; every
/// transaction is flagged VALID unless `codes` says otherwise.
struct ChainBuilder {
    private(set) var blocks: [Common_Block] = []
    private var previousHash = Data()
    private var counter = 0

    static func envelope(_ writes: [(String, String?)], nonce: Data) -> Data {
        let creator = try! Msp_SerializedIdentity.with { $0.mspid = "Org1MSP"; $0.idBytes = Data("cert".utf8) }.serializedBytes() as Data
        let made = try! UnendorsedTransaction.payload(
            channel: "mychannel", namespace: "fabnet", arguments: [], writes: writes.map { ($0.0, $0.1.map { Data($0.utf8) }) },
            creator: creator, nonce: nonce, timestamp: Date(timeIntervalSince1970: 1_800_000_000))
        var envelope = Common_Envelope()
        envelope.payload = made.payload
        envelope.signature = Data(repeating: 7, count: 70)
        return try! envelope.serializedBytes()
    }

    mutating func add(_ writes: [(String, String?)]...) -> Common_Block {
        add(writes.map { transactionWrites -> Data in
            counter += 1
            return Self.envelope(transactionWrites, nonce: Data("nonce-\(counter)".utf8))
        })
    }

    mutating func add(_ entries: [Data], codes: [Protos_TxValidationCode]? = nil) -> Common_Block {
        var block = Common_Block()
        block.header.number = UInt64(blocks.count)
        block.header.previousHash = previousHash
        block.data.data = entries
        block.header.dataHash = BlockDataRules.dataHash(entries)
        block.metadata = BlockMetadataLayout.empty
        BlockMetadataLayout.setTransactionsFilter(codes ?? entries.map { _ in .valid }, in: &block)
        previousHash = BlockHeaderBytes.hash(block.header)
        blocks.append(block)
        return block
    }
}

func scratchDirectory(_ name: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-ledger-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct LedgerTests {
    @Test func appendReopenAndRead() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var chain = ChainBuilder()
        do {
            let (ledger, report) = try ChannelLedger.open(directory: directory, channel: "mychannel")
            #expect(report == ChannelLedger.OpenReport(blocks: 0, truncatedBytes: 0))
            try ledger.append(chain.add([("a", "1"), ("b", "1")]))
            try ledger.append(chain.add([("a", "2")], [("c", "1")]))
            try ledger.append(chain.add([("b", nil)]))
            #expect(ledger.height == 3)
        }
        let (ledger, report) = try ChannelLedger.open(directory: directory, channel: "mychannel")
        #expect(report.blocks == 3)
        #expect(try ledger.block(1) == chain.blocks[1])
        #expect(try ledger.block(3) == nil)
        #expect(ledger.currentHash == BlockHeaderBytes.hash(chain.blocks[2].header))
        #expect(ledger.previousHash == BlockHeaderBytes.hash(chain.blocks[1].header))
        #expect(ledger.state["fabnet", "a"] == VersionedValue(value: Data("2".utf8), version: Version(block: 1, transaction: 0)))
        #expect(ledger.state["fabnet", "c"]?.version == Version(block: 1, transaction: 1))
        #expect(ledger.state["fabnet", "b"] == nil)
    }

    @Test func appendRefusesBlocksThatDoNotContinueTheChain() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (ledger, _) = try ChannelLedger.open(directory: directory, channel: "ch", durability: .osBuffered)
        var chain = ChainBuilder()
        try ledger.append(chain.add([("a", "1")]))
        var skipped = chain
        _ = skipped.add([("x", "1")])
        #expect(throws: LedgerError.outOfOrder(channel: "ch", expected: 1, got: 2)) { try ledger.append(skipped.add([("y", "1")])) }
        var wrongPrevious = chain.add([("b", "1")])
        wrongPrevious.header.previousHash = Data(repeating: 0, count: 32)
        #expect(throws: LedgerError.previousHashMismatch(channel: "ch", block: 1)) { try ledger.append(wrongPrevious) }
        var wrongData = chain.blocks[1]
        wrongData.data.data.append(ChainBuilder.envelope([("extra", "1")], nonce: Data("x".utf8)))
        #expect(throws: LedgerError.dataHashMismatch(channel: "ch", block: 1)) { try ledger.append(wrongData) }
        #expect(ledger.height == 1)
    }

    @Test func cutAtEveryByteOfTheLastRecordReopensAtThePreviousBlock() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var chain = ChainBuilder()
        let file = directory.appendingPathComponent("source/blocks.fabric")
        let lastStart: Int
        do {
            let (ledger, _) = try ChannelLedger.open(directory: file.deletingLastPathComponent(), channel: "ch")
            for index in 0..<4 { try ledger.append(chain.add([("k\(index)", "v")])) }
            lastStart = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as! Int
            try ledger.append(chain.add([("last", "v"), ("other", "w")]))
        }
        let bytes = try Data(contentsOf: file)
        #expect(bytes.count > lastStart + BlockFile.headerSize)
        for cut in lastStart..<bytes.count {
            let copy = directory.appendingPathComponent("cut-\(cut)")
            try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
            try bytes.prefix(cut).write(to: copy.appendingPathComponent("blocks.fabric"))
            let (ledger, report) = try ChannelLedger.open(directory: copy, channel: "ch")
            #expect(report == ChannelLedger.OpenReport(blocks: 4, truncatedBytes: cut - lastStart), "cut at \(cut)")
            #expect(ledger.currentHash == BlockHeaderBytes.hash(chain.blocks[3].header))
            #expect(ledger.state["fabnet", "last"] == nil)
            // The ledger goes on from there: the lost block can be appended again.
            try ledger.append(chain.blocks[4])
            #expect(ledger.height == 5)
            try FileManager.default.removeItem(at: copy)
        }
    }

    @Test func flippedByteInAnEarlierBlockIsRefusedNamingTheBlock() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var chain = ChainBuilder()
        var starts: [Int] = []
        let file = directory.appendingPathComponent("blocks.fabric")
        do {
            let (ledger, _) = try ChannelLedger.open(directory: directory, channel: "ch", durability: .osBuffered)
            for index in 0..<5 {
                starts.append((try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0)
                try ledger.append(chain.add([("k\(index)", "value \(index)")]))
            }
        }
        let original = try Data(contentsOf: file)
        // A byte inside block 2's payload, and one inside its record marker.
        for (offset, reason) in [(starts[2] + BlockFile.headerSize + 5, "checksum mismatch"), (starts[2] + 5, "record header is damaged")] {
            var damaged = original
            damaged[offset] ^= 0x40
            try damaged.write(to: file)
            #expect(throws: LedgerError.corrupted(channel: "ch", block: 2, offset: starts[2], reason: reason)) {
                _ = try ChannelLedger.open(directory: directory, channel: "ch")
            }
        }
    }

    @Test func damagedLengthInTheMiddleIsDamageNotATornTail() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var chain = ChainBuilder()
        let file = directory.appendingPathComponent("blocks.fabric")
        do {
            let (ledger, _) = try ChannelLedger.open(directory: directory, channel: "ch", durability: .osBuffered)
            for index in 0..<3 { try ledger.append(chain.add([("k\(index)", "v")])) }
        }
        var bytes = try Data(contentsOf: file)
        bytes[4] = 0x7F  // block 0's length now claims far more than the file holds
        try bytes.write(to: file)
        #expect(throws: LedgerError.corrupted(channel: "ch", block: 0, offset: 0, reason: "record header is damaged")) {
            _ = try ChannelLedger.open(directory: directory, channel: "ch")
        }
    }

    @Test func zeroFilledTailIsATornTail() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var chain = ChainBuilder()
        let file = directory.appendingPathComponent("blocks.fabric")
        do {
            let (ledger, _) = try ChannelLedger.open(directory: directory, channel: "ch", durability: .osBuffered)
            for index in 0..<2 { try ledger.append(chain.add([("k\(index)", "v")])) }
        }
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(count: 300))
        try handle.close()
        let (ledger, report) = try ChannelLedger.open(directory: directory, channel: "ch")
        #expect(report == ChannelLedger.OpenReport(blocks: 2, truncatedBytes: 300))
        #expect(ledger.height == 2)
    }

    @Test func replaceAllSwapsTheRecordsAtomically() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("pending.log").path
        let log = try BlockFile(path: path, durability: .fsyncEachAppend)
        for value in 0..<5 { try log.append([UInt8(value)]) }
        try log.replaceAll(with: [[9], [8]])
        try log.append([7])
        #expect(try BlockFile(path: path, durability: .fsyncEachAppend).readAll() == [[9], [8], [7]])
    }

    @Test func intactRecordThatBreaksTheChainIsRefused() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var chain = ChainBuilder()
        _ = chain.add([("a", "1")])
        var forged = chain.add([("b", "1")])
        forged.header.previousHash = Data(repeating: 1, count: 32)
        let file = try BlockFile(path: directory.appendingPathComponent("blocks.fabric").path, durability: .osBuffered)
        _ = try file.append(try chain.blocks[0].serializedBytes())
        _ = try file.append(try forged.serializedBytes())
        _ = try file.append(try chain.blocks[0].serializedBytes())
        do {
            _ = try ChannelLedger.open(directory: directory, channel: "ch")
            Issue.record("a broken chain must not open")
        } catch let error as LedgerError {
            guard case let .corrupted(_, block, _, reason) = error else { Issue.record("\(error)"); return }
            #expect(block == 1)
            #expect(reason.contains("previous hash"))
            #expect(error.description.contains("fix:"))
        }
    }

    @Test func aFolderFromAnOlderFabnetIsRefusedWithWhatToDo() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data([1, 2, 3]).write(to: directory.appendingPathComponent("blocks.dat"))
        #expect(throws: LedgerError.olderFormat(path: directory.path)) { _ = try ChannelLedger.open(directory: directory, channel: "ch") }
        #expect(LedgerError.olderFormat(path: "x").description.contains("fabnet down --clean"))
    }

    @Test func crossLinkedEntriesAreRefusedOnAppend() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (ledger, _) = try ChannelLedger.open(directory: directory, channel: "ch", durability: .osBuffered)
        var chain = ChainBuilder()
        let entry = ChainBuilder.envelope([("a", "1")], nonce: Data("n".utf8))
        let block = chain.add([entry.prefix(9), entry.dropFirst(9)].map { Data($0) })
        #expect(throws: LedgerError.self) { try ledger.append(block) }
        #expect(ledger.height == 0)
    }

    @Test func onlyValidTransactionsWriteAndEveryIdIsIndexedOnce() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var chain = ChainBuilder()
        let first = ChainBuilder.envelope([("a", "1")], nonce: Data("one".utf8))
        let rejected = ChainBuilder.envelope([("b", "1")], nonce: Data("two".utf8))
        do {
            let (ledger, _) = try ChannelLedger.open(directory: directory, channel: "mychannel", durability: .osBuffered)
            try ledger.append(chain.add([first, rejected], codes: [.valid, .badCreatorSignature]))
            // The same envelope again: a duplicate, which keeps the first location.
            try ledger.append(chain.add([first], codes: [.duplicateTxid]))
        }
        let (ledger, _) = try ChannelLedger.open(directory: directory, channel: "mychannel")
        #expect(ledger.state["fabnet", "a"]?.version == Version(block: 0, transaction: 0))
        #expect(ledger.state["fabnet", "b"] == nil)
        let firstID = try EnvelopeView.open(first).txID
        #expect(ledger.transactions[firstID] == TransactionLocation(block: 0, index: 0, code: .valid))
        #expect(ledger.transactions[try EnvelopeView.open(rejected).txID]?.code == .badCreatorSignature)
        #expect(BlockMetadataLayout.transactionsFilter(of: try #require(try ledger.block(1))) == [9])
    }

    @Test func rangeScansAreSortedAndBounded() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (ledger, _) = try ChannelLedger.open(directory: directory, channel: "ch", durability: .osBuffered)
        var chain = ChainBuilder()
        try ledger.append(chain.add([("b", "1"), ("d", "1"), ("a", "1"), ("c", "1")]))
        try ledger.append(chain.add([("c", nil), ("e", "2")]))
        #expect(ledger.state.range("fabnet", from: "", to: "").map(\.key) == ["a", "b", "d", "e"])
        #expect(ledger.state.range("fabnet", from: "b", to: "e").map(\.key) == ["b", "d"])
        #expect(ledger.state.range("fabnet", from: "a", to: "", limit: 2).map(\.key) == ["a", "b"])
        #expect(ledger.state.range("other", from: "", to: "").isEmpty)
        #expect(ledger.state["fabnet", "e"]?.version == Version(block: 1, transaction: 0))
    }

    @Test func crc32cMatchesTheStandardCheckValueAndTheBytewiseMethod() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 1000, 4097] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes { crc = CRC32C.tables[0][Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            #expect(CRC32C.checksum(bytes) == crc ^ 0xFFFF_FFFF, "length \(length)")
        }
    }

    @Test func aCopyOfTheWorldStateIsASnapshot() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (ledger, _) = try ChannelLedger.open(directory: directory, channel: "ch", durability: .osBuffered)
        var chain = ChainBuilder()
        try ledger.append(chain.add([("a", "1"), ("b", "1")]))
        let snapshot = ledger.state
        #expect(snapshot.range("fabnet", from: "", to: "").map(\.key) == ["a", "b"])
        try ledger.append(chain.add([("c", "2"), ("a", nil)]))
        #expect(snapshot.range("fabnet", from: "", to: "").map(\.key) == ["a", "b"], "the snapshot keeps its keys")
        #expect(snapshot["fabnet", "a"]?.value == Data("1".utf8))
        #expect(ledger.state.range("fabnet", from: "", to: "").map(\.key) == ["b", "c"])
    }
}
