/// Helpers for quoting untrusted input in one-line error messages: short, printable, no escapes.
public enum InputText {
    /// At most `limit` characters, control characters shown as `?`.
    public static func excerpt<S: StringProtocol>(_ text: S, limit: Int = 60) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            out.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? "?" : scalar)
        }
        if text.unicodeScalars.count > limit { out += "…" }
        return "\"" + out + "\""
    }
}

extension Substring {
    /// Drops spaces, tabs and a CR from both ends (CRLF files are tolerated everywhere).
    public func trimmingWhitespace() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" || c == "\r" || c == "\r\n" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" || c == "\r\n" { s = s.dropLast() }
        return s
    }
}

extension StringProtocol {
    /// Lines split at LF and at CRLF. Swift reads "\r\n" as one Character, so `split(separator: "\n")`
    /// never splits a CRLF file: a capture saved on Windows was one long line.
    public func inputLines(maxSplits: Int = Int.max, omittingEmptySubsequences: Bool = true) -> [SubSequence] {
        split(maxSplits: maxSplits, omittingEmptySubsequences: omittingEmptySubsequences) { $0 == "\n" || $0 == "\r\n" }
    }
}
