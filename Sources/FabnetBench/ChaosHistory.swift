import Foundation
import Synchronization

/// The history file of a `fabnet bench chaos` run: one JSON object per line, in the order the
/// events happened, in Jepsen's vocabulary. A transaction is `invoke`d, then completes as `ok`
/// (CommitStatus said VALID: acknowledged), `fail` (certainly not committed as valid: its
/// endorsement failed, or CommitStatus named another code) or `info` (unknown: a submit or
/// CommitStatus that failed or timed out; it may or may not be in the ledger).
///
/// Guarantees: each line is written whole (one `write` per line, under a lock), so the file is
/// readable while the run goes on and after a crash; lines are in the order they were written
/// (times taken just before, so concurrent lines may be microseconds out of order); a line that
/// cannot be written is counted in `writeFailures`; `ok` lines are the transactions the checker
/// requires on every peer.
public final class ChaosHistory: Sendable {
    /// One line of the file.
    public struct Entry: Codable, Sendable, Equatable {
        /// Jepsen's words: `invoke` starts a transaction; `ok`, `fail` and `info` end it.
        public enum Kind: String, Codable, Sendable { case invoke, ok, fail, info }
        public let type: Kind
        public let tx: String
        public let key: String
        public let client: Int
        /// The peer whose Gateway the client uses.
        public let gateway: String
        /// Seconds since the run started.
        public let time: Double
        /// For ok and fail: the validation code; for fail and info: what went wrong.
        public let detail: String?
    }

    public let url: URL
    private let handle: Mutex<FileHandle?>
    private let failures = Mutex(0)

    /// Lines that could not be written (a full disk, a closed file).
    public var writeFailures: Int { failures.withLock { $0 } }

    /// Creates (or empties) the file at `url`, making its folder.
    public init(url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "cannot create the history file \(url.path); choose another with --history"])
        }
        self.url = url
        handle = Mutex(try FileHandle(forWritingTo: url))
    }

    public func append(_ entry: Entry) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(entry) else { return failures.withLock { $0 += 1 } }
        line.append(0x0A)
        let written = handle.withLock { handle -> Bool in
            guard let handle else { return false }
            return (try? handle.write(contentsOf: line)) != nil
        }
        if !written { failures.withLock { $0 += 1 } }
    }

    public func close() {
        handle.withLock { try? $0?.close(); $0 = nil }
    }

    /// The entries of a history file, in order (a torn last line is left out).
    public static func read(_ url: URL) throws -> [Entry] {
        let decoder = JSONDecoder()
        return try Data(contentsOf: url).split(separator: 0x0A).compactMap { try? decoder.decode(Entry.self, from: Data($0)) }
    }
}
