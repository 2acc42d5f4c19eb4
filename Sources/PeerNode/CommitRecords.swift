import Foundation
import OperationsEndpoint

/// When each block was cut (the orderer's stamp in its metadata) and committed here, per
/// channel, for benchmarks: both on this machine's wall clock, in nanoseconds since 1970.
///
/// Guarantees: records come in commit order; at most `capacity` per channel are kept (the
/// oldest half is dropped when full), so a long-running peer's memory stays bounded.
struct CommitRecords: Sendable {
    struct Record: Sendable, Encodable {
        let number: UInt64
        let cutNanos: Int64
        let commitNanos: Int64
    }

    let capacity: Int
    private(set) var byChannel: [String: [Record]] = [:]

    init(capacity: Int = 200_000) { self.capacity = capacity }

    mutating func record(channel: String, number: UInt64, cut: Date, committed: Date) {
        // In place: a copy of the array per commit made a long catch-up quadratic.
        if byChannel[channel, default: []].count >= capacity { byChannel[channel]!.removeFirst(capacity / 2) }
        byChannel[channel, default: []].append(Record(number: number, cutNanos: Self.nanos(cut), commitNanos: Self.nanos(committed)))
    }

    static func nanos(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1e9).rounded()) }

    /// `{"channel":…,"blocks":[[number,cutNanos,commitNanos],…]}` for blocks from `first` on.
    ///
    /// Built by hand rather than with `JSONEncoder`: a long run keeps up to 200,000 rows per
    /// channel and the rows are only integers, which need no escaping; the one string, the
    /// channel name, is escaped by `JSONEncoder` (`JSONText.quoted`).
    func json(channel: String, from first: UInt64) -> String {
        let rows = (byChannel[channel] ?? []).lazy.filter { $0.number >= first }.map { "[\($0.number),\($0.cutNanos),\($0.commitNanos)]" }
        return #"{"channel":\#(JSONText.quoted(channel)),"blocks":[\#(rows.joined(separator: ","))]}"#
    }
}
