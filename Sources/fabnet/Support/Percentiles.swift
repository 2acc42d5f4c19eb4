/// p50 / p90 / p99 / max of a sample (nearest rank), as the benchmarks and the simulator report them.
struct Percentiles: Encodable {
    let p50: Double
    let p90: Double
    let p99: Double
    let max: Double

    init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func at(_ fraction: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))] }
        p50 = at(0.5); p90 = at(0.9); p99 = at(0.99); max = sorted.last!
    }

    var text: String { String(format: "p50 %.1f, p90 %.1f, p99 %.1f, max %.1f", p50, p90, p99, max) }
}
