import FoundationEssentials
import Glibc

/// A moment as RFC 3339 / ISO 8601 UTC text, `2026-12-05T00:47:53Z` (whole seconds): a snapshot's
/// `captured_at` and the NFD file's expiry. Computed from the epoch seconds with the proleptic
/// Gregorian calendar, because Foundation's formatters set up a time zone and calendar first:
/// ISO8601DateFormatter opened an ICU formatter (~2.6 M instructions of every live run,
/// callgrind, issue 16) and `Date.ISO8601FormatStyle` still cost ~1.6 M, for the same text.
public enum UTCTimestamp {
    public static func iso8601(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let (days, time) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, second) = time < 0 ? (days - 1, time + 86_400) : (days, time)
        // Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-compatible low-level date
        // algorithms", civil_from_days): eras of 400 years, years starting in March.
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let yearText = String(repeating: "0", count: max(0, 4 - "\(year)".count)) + "\(year)"
        return "\(yearText)-\(two(month))-\(two(dayOfMonth))T\(two(second / 3_600)):\(two(second % 3_600 / 60)):\(two(second % 60))Z"
    }
}
