/// A point on a monotonic timeline, in nanoseconds from an arbitrary origin. Protocol cores get
/// it as input (`now`) and never read a clock: the process maps its monotonic clock onto it, the
/// simulator advances it virtually.
public struct GossipTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = GossipTime(nanoseconds: 0)

    public static func < (lhs: GossipTime, rhs: GossipTime) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: GossipTime, rhs: Duration) -> GossipTime {
        GossipTime(nanoseconds: lhs.nanoseconds + rhs.nanosecondsValue)
    }

    public static func - (lhs: GossipTime, rhs: GossipTime) -> Duration { .nanoseconds(lhs.nanoseconds - rhs.nanoseconds) }

    public var description: String {
        let milliseconds = Double(nanoseconds) / 1e6
        return milliseconds == milliseconds.rounded() ? "\(Int64(milliseconds))ms" : "\(milliseconds)ms"
    }
}

extension Duration {
    /// The duration in seconds, as a `Double` (for reports and metrics).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// The duration in whole nanoseconds.
    public var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
