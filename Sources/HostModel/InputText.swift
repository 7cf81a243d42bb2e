/// Helpers for quoting untrusted input in one-line error messages: short, printable, no escapes.
public enum InputText {
    /// At most `limit` characters, control and bidi characters shown as `?`.
    public static func excerpt<S: StringProtocol>(_ text: S, limit: Int = 60) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            out.unicodeScalars.append(isInert(scalar) ? "?" : scalar)
        }
        if text.unicodeScalars.count > limit { out += "…" }
        return "\"" + out + "\""
    }

    /// The characters no untrusted string may carry raw into any output: C0 controls (escape
    /// sequences, CR/LF, NUL), DEL, C1 controls (U+0080–U+009F; U+009B is a one-byte CSI on
    /// many terminals) and the bidirectional controls that reorder what is shown ("Trojan
    /// Source": U+200E/F, U+202A–E, U+2066–9). Each format escapes or replaces them its own way.
    public static func isInert(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x200E || v == 0x200F
            || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
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
