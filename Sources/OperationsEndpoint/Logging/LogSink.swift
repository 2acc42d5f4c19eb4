import Foundation
import Synchronization

/// Where a node's log lines go. Implementations must be safe to call from any thread.
public protocol LogSink: Sendable {
    func write(_ line: String)
}

/// Standard error, one `write(2)` per line (a line never interleaves with another thread's).
///
/// Kept instead of swift-log's `StreamLogHandler`: that handler formats its own lines (no module,
/// no node name, no Fabric level names) and flushes a stdio stream per line; this one writes the
/// already formatted line in one system call, without Foundation's FileHandle.
public final class StandardErrorSink: LogSink {
    public static let shared = StandardErrorSink()
    private let lock = Mutex(())

    public func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { if errno == EINTR { continue } else { return } }
                    offset += written
                }
            }
        }
    }
}

/// Each line handed to a closure (tests, and an embedding process with its own log).
public struct ClosureSink: LogSink {
    private let body: @Sendable (String) -> Void

    public init(_ body: @escaping @Sendable (String) -> Void) { self.body = body }

    public func write(_ line: String) { body(line) }
}
