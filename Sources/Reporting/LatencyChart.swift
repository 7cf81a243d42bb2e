import FoundationEssentials
import Glibc

/// The guest's exit round trips as an inline SVG bar chart: a bar to the median, a whisker from
/// p10 to p90. People compare two latencies faster by length than by reading numbers.
struct LatencyChart {
    struct Bar {
        var label: String
        var detail: String
        var median: Double
        var p10: Double?
        var p90: Double?
        var samples: Int
    }

    var bars: [Bar]

    /// `610 ns`, `2.14 µs`, `1.2 ms`.
    static func format(ns: Double) -> String {
        if ns >= 1_000_000 { return String(cFormat: "%.2f ms", ns / 1_000_000) }
        if ns >= 1000 { return String(cFormat: "%.2f µs", ns / 1000) }
        return String(cFormat: "%.0f ns", ns)
    }

    /// A round axis step (1, 2 or 5 times a power of ten) giving at most five intervals.
    static func tickStep(_ maxValue: Double) -> Double {
        var magnitude = 1.0
        while magnitude * 10 <= maxValue { magnitude *= 10 }
        while magnitude > maxValue && magnitude > 1 { magnitude /= 10 }
        for factor in [0.2, 0.5, 1, 2, 5, 10] where maxValue / (magnitude * factor) <= 5 {
            return magnitude * factor
        }
        return magnitude * 10
    }

    func svg() -> Markup {
        let labelWidth = 300.0, plotWidth = 320.0, rowHeight = 46.0, top = 10.0
        let height = top + rowHeight * Double(bars.count) + 28
        let step = LatencyChart.tickStep(max(bars.map { max($0.p90 ?? $0.median, $0.median) }.max() ?? 1, 1))
        let ticks = Int((max(bars.map { max($0.p90 ?? $0.median, $0.median) }.max() ?? 1, 1) / step).rounded(.up))
        let maxValue = step * Double(ticks)
        func x(_ v: Double) -> Double { labelWidth + plotWidth * v / maxValue }
        var parts: [Markup] = []
        let summary = bars.map { "\($0.label): median \(LatencyChart.format(ns: $0.median))" }.joined(separator: "; ")
        parts.append("<svg class=\"chart\" role=\"img\" aria-label=\"\(summary)\" viewBox=\"0 0 720 \(coordinate: height)\" width=\"720\" height=\"\(coordinate: height)\" xmlns=\"http://www.w3.org/2000/svg\"><title>\(summary)</title>")
        for tick in 0...ticks {
            let v = step * Double(tick)
            parts.append("<line x1=\"\(coordinate: x(v))\" y1=\"\(coordinate: top - 4)\" x2=\"\(coordinate: x(v))\" y2=\"\(coordinate: height - 22)\" class=\"grid\"/><text x=\"\(coordinate: x(v))\" y=\"\(coordinate: height - 8)\" text-anchor=\"middle\" class=\"tick\">\(LatencyChart.format(ns: v))</text>")
        }
        for (i, bar) in bars.enumerated() {
            let y = top + rowHeight * Double(i)
            parts.append("<text x=\"0\" y=\"\(coordinate: y + 14)\" class=\"label\">\(bar.label)</text><text x=\"0\" y=\"\(coordinate: y + 30)\" class=\"sub\">\(bar.detail) · \(bar.samples) exits</text>")
            parts.append("<rect x=\"\(coordinate: labelWidth)\" y=\"\(coordinate: y + 6)\" width=\"\(coordinate: x(bar.median) - labelWidth)\" height=\"20\" rx=\"3\" class=\"bar bar\(i % 2)\"/>")
            if let lo = bar.p10, let hi = bar.p90 {
                let cy = y + 16
                parts.append("<path d=\"M\(coordinate: x(lo)) \(coordinate: cy)H\(coordinate: x(hi))M\(coordinate: x(lo)) \(coordinate: cy - 6)V\(coordinate: cy + 6)M\(coordinate: x(hi)) \(coordinate: cy - 6)V\(coordinate: cy + 6)\" class=\"whisker\"/>")
            }
            let textX = x(max(bar.p90 ?? bar.median, bar.median)) + 6
            let anchor = textX > 660 ? "end\" dx=\"-12" : "start"
            parts.append("<text x=\"\(coordinate: min(textX, 715))\" y=\"\(coordinate: y + 21)\" text-anchor=\"\(Markup(stringLiteral: anchor))\" class=\"value\">\(LatencyChart.format(ns: bar.median))</text>")
        }
        parts.append("</svg>")
        return "\(parts)"
    }
}
