/// Several nodes' log lines as one stream in time order.
///
/// Guarantees: every line appears exactly once; lines of one log keep their order; lines of
/// different logs are ordered by the timestamp that opens them (`2026-12-05T22:51:56.181Z`,
/// fixed width, so text order is time order), ties by log. A line without a timestamp (a
/// continuation, a crash trace) stays right after the line before it in its log.
enum MergedLines {
    /// The length of a node log line's timestamp.
    static let timestampLength = 24

    /// `batches[i]` are log i's lines; the result pairs each line with its log's index.
    static func inTimeOrder(_ batches: [[String]]) -> [(log: Int, line: String)] {
        var keyed: [(key: Substring, log: Int, position: Int, line: String)] = []
        keyed.reserveCapacity(batches.reduce(0) { $0 + $1.count })
        for (log, lines) in batches.enumerated() {
            var key: Substring = ""
            for (position, line) in lines.enumerated() {
                // Never backwards within a log (two threads' lines, a clock step): the log's
                // own order wins over its stamps.
                if let stamp = timestamp(of: line), stamp > key { key = stamp }
                keyed.append((key, log, position, line))
            }
        }
        keyed.sort { ($0.key, $0.log, $0.position) < ($1.key, $1.log, $1.position) }
        return keyed.map { ($0.log, $0.line) }
    }

    /// The timestamp a line opens with, if it opens with one (`YYYY-MM-DDTHH:MM:SS.mmmZ`).
    static func timestamp(of line: String) -> Substring? {
        let bytes = Array(line.utf8.prefix(timestampLength))
        guard bytes.count == timestampLength, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[23] == UInt8(ascii: "Z"), bytes[0] >= UInt8(ascii: "0"), bytes[0] <= UInt8(ascii: "9") else { return nil }
        // All ASCII, so the first 24 characters are the 24 bytes.
        return line.prefix(timestampLength)
    }
}
