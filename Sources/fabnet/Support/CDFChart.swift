import Foundation

/// A latency CDF picture as SVG text: one line per series (solid) and optional dashed
/// companions, a logarithmic time axis in ms, a legend. Self-contained; any browser shows it.
struct CDFChart {
    struct Series {
        let label: String
        let color: String
        let values: [Double]
        let dashed: Bool
    }

    let title: String
    let series: [Series]
    var width = 760.0
    var height = 440.0

    func svg() -> String {
        let left = 70.0, right = 20.0, top = 40.0, bottom = 60.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let all = series.flatMap(\.values).filter { $0 > 0 }
        let low = pow(10, floor(log10(max(all.min() ?? 1, 0.1))))
        let high = pow(10, ceil(log10(max(all.max() ?? 10, low * 10))))
        func x(_ value: Double) -> Double { left + plotWidth * (log10(max(value, low)) - log10(low)) / (log10(high) - log10(low)) }
        func y(_ fraction: Double) -> Double { top + plotHeight * (1 - fraction) }
        var parts: [String] = []
        parts.append(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" font-family="sans-serif" font-size="12">"##)
        parts.append(##"<rect width="100%" height="100%" fill="white"/>"##)
        parts.append(##"<text x="\##(Int(width / 2))" y="22" text-anchor="middle" font-size="15">\##(escape(title))</text>"##)
        // Grid: decades on x, tenths on y.
        var decade = low
        while decade <= high * 1.0001 {
            parts.append(##"<line x1="\##(f(x(decade)))" y1="\##(f(top))" x2="\##(f(x(decade)))" y2="\##(f(top + plotHeight))" stroke="#ddd"/>"##)
            parts.append(##"<text x="\##(f(x(decade)))" y="\##(f(top + plotHeight + 18))" text-anchor="middle">\##(label(decade))</text>"##)
            decade *= 10
        }
        for tenth in 0...10 {
            let fraction = Double(tenth) / 10
            parts.append(##"<line x1="\##(f(left))" y1="\##(f(y(fraction)))" x2="\##(f(left + plotWidth))" y2="\##(f(y(fraction)))" stroke="#eee"/>"##)
            parts.append(##"<text x="\##(f(left - 8))" y="\##(f(y(fraction) + 4))" text-anchor="end">\##(tenth * 10)%</text>"##)
        }
        parts.append(##"<rect x="\##(f(left))" y="\##(f(top))" width="\##(f(plotWidth))" height="\##(f(plotHeight))" fill="none" stroke="#888"/>"##)
        parts.append(##"<text x="\##(f(left + plotWidth / 2))" y="\##(f(height - 22))" text-anchor="middle">latency after the orderer cut the block (ms, log scale)</text>"##)
        parts.append(##"<text x="16" y="\##(f(top + plotHeight / 2))" text-anchor="middle" transform="rotate(-90 16 \##(f(top + plotHeight / 2)))">share of commits</text>"##)
        for entry in series where !entry.values.isEmpty {
            let sorted = entry.values.sorted()
            var points = ["\(f(x(sorted[0]))),\(f(y(0)))"]
            for (index, value) in sorted.enumerated() {
                points.append("\(f(x(value))),\(f(y(Double(index) / Double(sorted.count))))")
                points.append("\(f(x(value))),\(f(y(Double(index + 1) / Double(sorted.count))))")
            }
            let dash = entry.dashed ? ##" stroke-dasharray="6 4""## : ""
            parts.append(##"<polyline fill="none" stroke="\##(entry.color)" stroke-width="2"\##(dash) points="\##(points.joined(separator: " "))"/>"##)
        }
        // Legend, bottom right of the plot.
        for (index, entry) in series.enumerated() {
            let legendY = top + plotHeight - 14 - Double(series.count - 1 - index) * 18
            let dash = entry.dashed ? ##" stroke-dasharray="6 4""## : ""
            parts.append(##"<line x1="\##(f(left + plotWidth - 260))" y1="\##(f(legendY))" x2="\##(f(left + plotWidth - 230))" y2="\##(f(legendY))" stroke="\##(entry.color)" stroke-width="2"\##(dash)/>"##)
            parts.append(##"<text x="\##(f(left + plotWidth - 222))" y="\##(f(legendY + 4))">\##(escape(entry.label))</text>"##)
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private func label(_ milliseconds: Double) -> String {
        milliseconds >= 1000 ? "\(Int(milliseconds / 1000)) s" : milliseconds >= 1 ? "\(Int(milliseconds)) ms" : String(format: "%g ms", milliseconds)
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
