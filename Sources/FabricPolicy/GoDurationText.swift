/// Go's `time.Duration` text (`250ms`, `2s`, `1m30s`, `1.5h`, `0`) as Fabric writes
/// `BatchTimeout`: one or more decimal numbers each with a unit `ns`, `us`, `µs`, `ms`, `s`, `m`,
/// `h`, optionally signed. `parse` returns nil for anything else (a bare number but `0` too).
public enum GoDurationText {
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .zero }
        guard !rest.isEmpty else { return nil }
        var total = Duration.zero
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(unit.count)
            let nanosPerUnit: Double
            switch unit {
            case "ns": nanosPerUnit = 1
            case "us", "µs", "μs": nanosPerUnit = 1e3
            case "ms": nanosPerUnit = 1e6
            case "s": nanosPerUnit = 1e9
            case "m": nanosPerUnit = 60e9
            case "h": nanosPerUnit = 3600e9
            default: return nil
            }
            total += .nanoseconds(Int64((value * nanosPerUnit).rounded()))
        }
        return negative ? .zero - total : total
    }
}
