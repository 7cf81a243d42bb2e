import Foundation
import HostModel
import Testing

/// The timestamp text is Foundation's ISO8601DateFormatter's, which it replaced, over leap days,
/// century rules, year boundaries, moments before 1970 and fractional seconds.
struct UTCTimestampTests {
    static let moments: [Double] = [
        0, -1, -0.5, 59.999, 951_782_400, 951_868_799, 4_107_542_400, 1_796_000_000.75, 1_704_067_199,
        -2_208_988_800, 253_402_300_799, 1_709_164_800, 1_709_251_199,
    ] + (0..<400).map { Double($0) * 7_884_000 + 12_345.5 }

    @Test func matchesFoundationsISO8601Formatter() {
        let foundation = ISO8601DateFormatter()
        for seconds in Self.moments {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UTCTimestamp.iso8601(date) == foundation.string(from: date), "\(seconds)")
        }
    }
}
