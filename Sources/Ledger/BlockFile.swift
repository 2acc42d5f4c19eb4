import Foundation

/// When an appended block is on disk. `fsyncEachAppend` (the default): before `append`
/// returns, so an acknowledged block survives a crash or power loss. `osBuffered`: when the OS
/// flushes (for tests and benchmarks of other layers; a crash may lose recent blocks, never
/// corrupt earlier ones).
public enum LedgerDurability: Sendable { case fsyncEachAppend, osBuffered }

/// An append-only file of block records: `magic "FBK1" ‖ u32 length ‖ u32 CRC-32C ‖ payload`,
/// big-endian. Knows nothing of block contents; `ChannelLedger` checks the chain.
public final class BlockFile {
    static let magic: [UInt8] = Array("FBK1".utf8)
    static let headerSize = 12

    let path: String
    let durability: LedgerDurability
    private let descriptor: Int32
    public private(set) var size: Int

    public init(path: String, durability: LedgerDurability) throws {
        self.path = path
        self.durability = durability
        let created = !FileManager.default.fileExists(atPath: path)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw LedgerError.io(path: path, operation: "open", errno: errno) }
        size = Int(lseek(descriptor, 0, SEEK_END))
        if created, durability == .fsyncEachAppend {
            // Make the new file's directory entry durable too.
            let directory = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
            if directory >= 0 { fsync(directory); close(directory) }
        }
    }

    deinit { close(descriptor) }

    /// Appends one record; returns its offset.
    @discardableResult
    public func append(_ payload: [UInt8]) throws -> Int {
        var record = Self.magic
        record.append(contentsOf: UInt32(payload.count).bigEndianBytes)
        record.append(contentsOf: CRC32C.checksum(payload).bigEndianBytes)
        record.append(contentsOf: payload)
        let offset = size
        try write(record, at: offset)
        if durability == .fsyncEachAppend, fsync(descriptor) != 0 {
            throw LedgerError.io(path: path, operation: "fsync", errno: errno)
        }
        size += record.count
        return offset
    }

    /// The payload of the record at `offset` (already known to be intact).
    func payload(at offset: Int) throws -> [UInt8] {
        let header = try read(count: Self.headerSize, at: offset)
        let length = Int(UInt32(bigEndianBytes: header[4..<8]))
        return try read(count: length, at: offset + Self.headerSize)
    }

    /// What one record of the file looks like when scanned.
    enum ScannedRecord {
        case intact(offset: Int, payload: [UInt8], end: Int)
        /// The file ends inside the record, or its checksum fails and it is the last one.
        case tornTail(offset: Int)
        case damaged(offset: Int, reason: String)
    }

    /// Every intact record's payload from the start; stops at (and cuts off) a torn tail.
    /// Throws on damage before the end.
    public func readAll() throws -> [[UInt8]] {
        var payloads: [[UInt8]] = []
        var offset = 0
        while offset < size {
            switch try scan(at: offset) {
            case let .intact(_, payload, end):
                payloads.append(payload)
                offset = end
            case let .tornTail(start):
                try truncate(to: start)
                return payloads
            case let .damaged(start, reason):
                throw LedgerError.corrupted(channel: (path as NSString).lastPathComponent, block: UInt64(payloads.count), offset: start, reason: reason)
            }
        }
        return payloads
    }

    /// Reads the record at `offset` and classifies it.
    func scan(at offset: Int) throws -> ScannedRecord {
        let remaining = size - offset
        guard remaining >= Self.headerSize else { return .tornTail(offset: offset) }
        let header = try read(count: Self.headerSize, at: offset)
        guard Array(header[0..<4]) == Self.magic else { return .damaged(offset: offset, reason: "record marker is wrong") }
        let length = Int(UInt32(bigEndianBytes: header[4..<8]))
        let end = offset + Self.headerSize + length
        guard end <= size else { return .tornTail(offset: offset) }
        let payload = try read(count: length, at: offset + Self.headerSize)
        guard CRC32C.checksum(payload) == UInt32(bigEndianBytes: header[8..<12]) else {
            return end == size ? .tornTail(offset: offset) : .damaged(offset: offset, reason: "checksum mismatch")
        }
        return .intact(offset: offset, payload: payload, end: end)
    }

    /// Cuts the file back to `length` bytes (dropping a torn tail), durably.
    public func truncate(to length: Int) throws {
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw LedgerError.io(path: path, operation: "truncate", errno: errno) }
        fsync(descriptor)
        size = length
    }

    private func write(_ bytes: [UInt8], at offset: Int) throws {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + written, bytes.count - written, off_t(offset + written)) }
            guard result > 0 else { throw LedgerError.io(path: path, operation: "write", errno: errno) }
            written += result
        }
    }

    private func read(count: Int, at offset: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            guard result > 0 else { throw LedgerError.io(path: path, operation: "read", errno: result == 0 ? EIO : errno) }
            done += result
        }
        return bytes
    }
}

extension UInt32 {
    var bigEndianBytes: [UInt8] { [UInt8(self >> 24), UInt8(self >> 16 & 0xFF), UInt8(self >> 8 & 0xFF), UInt8(self & 0xFF)] }

    init(bigEndianBytes bytes: ArraySlice<UInt8>) {
        self = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
