import Foundation

/// When an appended block is on disk. `fsyncEachAppend` (the default): before `append`
/// returns, so an acknowledged block survives a crash or power loss. `osBuffered`: when the OS
/// flushes (for tests and benchmarks of other layers; a crash may lose recent blocks, never
/// corrupt earlier ones).
public enum LedgerDurability: Sendable { case fsyncEachAppend, osBuffered }

/// An append-only file of records: `"FBK2" ‖ u32 length ‖ u32 CRC-32C(magic ‖ length) ‖
/// u32 CRC-32C(payload) ‖ payload`, big-endian. Knows nothing of what the payloads are.
///
/// Telling a torn tail from damage: the header has its own checksum, so a length is trusted
/// only when its header is intact. A record is a torn tail when the file ends inside it, when
/// its payload checksum fails and it is the last record, or when everything from it to the end
/// of the file is zero bytes (a crash after the file grew but before data reached it). Any other
/// bad record is damage.
public final class BlockFile {
    static let magic: [UInt8] = Array("FBK2".utf8)
    static let headerSize = 16

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
        if created, durability == .fsyncEachAppend { Self.syncDirectory(of: path) }
    }

    deinit { close(descriptor) }

    /// Makes a new entry in `path`'s folder durable (fsync of the folder).
    static func syncDirectory(of path: String) {
        let directory = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
        if directory >= 0 { fsync(directory); close(directory) }
    }

    static func header(length: Int) -> [UInt8] {
        var header = magic + UInt32(length).bigEndianBytes
        header += CRC32C.checksum(header).bigEndianBytes
        return header
    }

    /// Appends one record; returns its offset. On any failure the file is cut back to where it
    /// was, so a failed append leaves nothing behind.
    @discardableResult
    public func append(_ payload: [UInt8]) throws -> Int {
        var record = Self.header(length: payload.count)
        record += CRC32C.checksum(payload).bigEndianBytes
        record += payload
        let offset = size
        do {
            try write(record, at: offset)
            if durability == .fsyncEachAppend, fsync(descriptor) != 0 {
                throw LedgerError.io(path: path, operation: "fsync", errno: errno)
            }
        } catch {
            _ = ftruncate(descriptor, off_t(offset))
            throw error
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
        case tornTail(offset: Int)
        case damaged(offset: Int, reason: String)
    }

    /// Every intact record's payload from the start; cuts off a torn tail; throws on damage.
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
        let length = Int(UInt32(bigEndianBytes: header[4..<8]))
        guard Array(header[0..<12]) == Self.header(length: length) else {
            return try isZero(from: offset) ? .tornTail(offset: offset) : .damaged(offset: offset, reason: "record header is damaged")
        }
        let end = offset + Self.headerSize + length
        guard end <= size else { return .tornTail(offset: offset) }
        let payload = try read(count: length, at: offset + Self.headerSize)
        guard CRC32C.checksum(payload) == UInt32(bigEndianBytes: header[12..<16]) else {
            return end == size ? .tornTail(offset: offset) : .damaged(offset: offset, reason: "checksum mismatch")
        }
        return .intact(offset: offset, payload: payload, end: end)
    }

    /// Whether every byte from `offset` to the end of the file is zero.
    private func isZero(from offset: Int) throws -> Bool {
        var position = offset
        while position < size {
            let chunk = try read(count: min(65536, size - position), at: position)
            guard chunk.allSatisfy({ $0 == 0 }) else { return false }
            position += chunk.count
        }
        return true
    }

    /// Cuts the file back to `length` bytes (dropping a torn tail, or emptying a log), durably.
    public func truncate(to length: Int) throws {
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw LedgerError.io(path: path, operation: "truncate", errno: errno) }
        if durability == .fsyncEachAppend, fsync(descriptor) != 0 { throw LedgerError.io(path: path, operation: "fsync", errno: errno) }
        size = length
    }

    /// Replaces the whole file with `payloads`, atomically (a new file, fsync, rename, folder fsync):
    /// after a crash the file holds either the old records or the new ones, never a mix.
    public func replaceAll(with payloads: [[UInt8]]) throws {
        let temporary = path + ".new"
        do {
            let replacement = try BlockFile(path: temporary, durability: durability)
            try replacement.truncate(to: 0)
            for payload in payloads { try replacement.append(payload) }
        }
        guard rename(temporary, path) == 0 else { throw LedgerError.io(path: path, operation: "rename", errno: errno) }
        if durability == .fsyncEachAppend { Self.syncDirectory(of: path) }
        // Our descriptor still points at the old file: reopen by copying the new state in.
        let reopened = open(path, O_RDWR | O_CLOEXEC)
        guard reopened >= 0 else { throw LedgerError.io(path: path, operation: "open", errno: errno) }
        guard dup2(reopened, descriptor) >= 0 else { close(reopened); throw LedgerError.io(path: path, operation: "dup2", errno: errno) }
        close(reopened)
        size = Int(lseek(descriptor, 0, SEEK_END))
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
