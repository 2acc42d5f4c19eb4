import Foundation
import Logging

/// The format of a node's log line: `2026-12-05T05:49:05.123Z peer0.org1.example.com INFO [gossip] text`
/// (UTC with milliseconds, the node's name, the level, the module). `fabnet logs` prefixes
/// `name | ` when it shows several nodes.
///
/// Guarantees: one line per call (newlines inside the text are kept as `\n` escapes, so a line
/// is always one record); the time is formatted with `gmtime_r`, not a date formatter (a peer
/// logs a line per committed block: a formatter per line cost about 0.25 ms).
public enum NodeLogLine {
    public static func format(node: String, level: Logger.Level, module: String, message: String, now: timespec = now()) -> String {
        let text = message.contains("\n") ? message.replacingOccurrences(of: "\n", with: "\\n") : message
        return "\(timestamp(now)) \(node) \(name(of: level)) [\(module)] \(text)"
    }

    /// Fabric's level names, upper case.
    static func name(of level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "DEBU"
        case .info, .notice: "INFO"
        case .warning: "WARN"
        case .error: "ERRO"
        case .critical: "FATA"
        }
    }

    public static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time
    }

    /// `2026-12-05T05:49:05.123Z`.
    static func timestamp(_ time: timespec) -> String {
        var seconds = time.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(time.tv_nsec / 1_000_000, 3))Z"
    }
}
