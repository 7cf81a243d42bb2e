/// Summary of measured round trips, in nanoseconds.
public struct LatencyStats: Codable, Sendable, Hashable {
    public var median: Double
    public var p10: Double?
    public var p90: Double?
    public var samples: Int

    public init(median: Double, p10: Double?, p90: Double?, samples: Int) {
        self.median = median
        self.p10 = p10
        self.p90 = p90
        self.samples = samples
    }

    /// Median, 10th and 90th percentile of `values` (nearest-rank); nil when empty.
    public init?(samples values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func rank(_ p: Double) -> Double {
            let i = Int((p * Double(sorted.count - 1)).rounded())
            return sorted[min(max(i, 0), sorted.count - 1)]
        }
        let mid = sorted.count / 2
        // The mean of the middle two, to a hundredth of a nanosecond: the samples are tenths, and
        // their mean's binary form printed as 2456.6499999999996 in a report.
        median = sorted.count % 2 == 1 ? sorted[mid] : ((sorted[mid - 1] + sorted[mid]) * 50).rounded() / 100
        p10 = rank(0.1)
        p90 = rank(0.9)
        samples = sorted.count
    }
}
