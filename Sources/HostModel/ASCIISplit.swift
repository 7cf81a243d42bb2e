/// Splitting on ASCII separators by UTF-8 bytes. `split(separator:)` on a String walks grapheme
/// clusters: splitting `/proc/cpuinfo`'s flags, `/proc/interrupts` and the data tables that way
/// was a quarter of an assessment's instructions (callgrind, issue 16). An ASCII byte is always a
/// scalar boundary, so each part is a valid Substring; only a separator followed by a combining
/// mark (one Character, never in what the kernel or the tables print) splits differently.
extension StringProtocol {
    /// The non-empty parts between occurrences of `separator` (an ASCII character).
    public func split(ascii separator: Unicode.Scalar, maxSplits: Int = .max) -> [Substring] {
        precondition(separator.isASCII)
        let byte = UInt8(separator.value)
        return Substring(self).utf8.split(separator: byte, maxSplits: maxSplits).map { Substring($0) }
    }

    /// The non-empty parts between bytes that `isSeparator` accepts (ASCII ones).
    public func split(asciiWhere isSeparator: (UInt8) -> Bool) -> [Substring] {
        Substring(self).utf8.split(whereSeparator: isSeparator).map { Substring($0) }
    }

    /// The runs of ASCII decimal digits, everything else a separator: `6.1.0-18-amd64` → 6, 1, 0,
    /// 18, 64; `46 bits physical, 48 bits virtual` → 46, 48.
    public func asciiDigitRuns() -> [Substring] {
        split(asciiWhere: { !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
    }
}
