import HostModel
import Testing

struct LatencyStatsTests {
    /// An even count's median is the mean of the middle two, written as a person would read it:
    /// the report printed 2456.6499999999996 for the mean of 2456.6 and 2456.7.
    @Test func anEvenCountsMedianPrintsPlainly() throws {
        let stats = try #require(LatencyStats(samples: [2456.7, 1.0, 2456.6, 9999.0]))
        #expect(stats.median.description == "2456.65")
        #expect(stats.samples == 4)
        #expect(try #require(LatencyStats(samples: [3, 1, 2])).median == 2)
        #expect(LatencyStats(samples: []) == nil)
    }
}
