/// Durations written as Go writes them (`2s`, `1500ms`, `1m30s`, `0.5s`), the form Fabric's
/// configuration files and `CORE_*` variables use.
///
/// Guarantees: `parse` accepts exactly a non-empty sequence of `<decimal><unit>` with units
/// ns, us (µs), ms, s, m, h, optionally preceded by `-`; `format` writes a string `parse` reads back.
public enum GoDuration {
    static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// Parses a Go duration string; `nil` when it is not one (a bare number has no unit and is refused).
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text.filter { !$0.isWhitespace })
        var negative = false
        if rest.hasPrefix("-") { negative = true; rest = rest.dropFirst() } else if rest.hasPrefix("+") { rest = rest.dropFirst() }
        if rest == "0" { return .zero }
        guard !rest.isEmpty else { return nil }
        var total: Double = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isNumber || $0 == ".") }
            // Longest suffix first so "ms" is not read as "m" followed by garbage.
            guard let unit = units.sorted(by: { $0.suffix.count > $1.suffix.count })
                .first(where: { $0.suffix == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.nanoseconds
        }
        let nanoseconds = Int64((negative ? -total : total).rounded())
        return .nanoseconds(nanoseconds)
    }

    /// Writes a duration the way Go prints it: `1h2m3s`, `1.5s`, `250ms`, `0s`.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var nanos = Int64(seconds) * 1_000_000_000 + attoseconds / 1_000_000_000
        if nanos == 0 { return "0s" }
        var sign = ""
        if nanos < 0 { sign = "-"; nanos = -nanos }
        if nanos < 1_000 { return "\(sign)\(nanos)ns" }
        if nanos < 1_000_000 { return sign + decimal(nanos, per: 1_000) + "us" }
        if nanos < 1_000_000_000 { return sign + decimal(nanos, per: 1_000_000) + "ms" }
        var text = sign
        let hours = nanos / 3_600_000_000_000
        nanos %= 3_600_000_000_000
        let minutes = nanos / 60_000_000_000
        nanos %= 60_000_000_000
        if hours > 0 { text += "\(hours)h" }
        if hours > 0 || minutes > 0 { text += "\(minutes)m" }
        text += decimal(nanos, per: 1_000_000_000) + "s"
        return text
    }

    private static func decimal(_ value: Int64, per unit: Int64) -> String {
        let whole = value / unit
        let fraction = value % unit
        guard fraction != 0 else { return "\(whole)" }
        var digits = String(fraction)
        let width = String(unit).count - 1
        digits = String(repeating: "0", count: width - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}

/// Byte sizes as Fabric's configtx.yaml writes them: `99 MB`, `512 KB`, `10MB`, `1048576`.
///
/// Units are binary, as in Fabric (KB = 1024 bytes, MB = 1024², GB = 1024³); `KiB` etc. and the
/// one-letter forms `K`, `M`, `G` are accepted too, in any letter case.
public enum ByteSize {
    static let multipliers: [String: Int] = [
        "": 1, "b": 1,
        "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
        "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
        "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
    ]

    /// Parses a size; `nil` when it is not a whole number followed by a known unit.
    public static func parse(_ text: String) -> Int? {
        let compact = text.filter { !$0.isWhitespace }
        let digits = compact.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int(digits) else { return nil }
        let unit = compact.dropFirst(digits.count).lowercased()
        guard let multiplier = multipliers[unit] else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// The largest exact unit: `99 MB`, `512 KB`, `1000 B`.
    public static func format(_ bytes: Int) -> String {
        for (unit, size) in [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)] where bytes != 0 && bytes % size == 0 {
            return "\(bytes / size) \(unit)"
        }
        return "\(bytes) B"
    }
}
