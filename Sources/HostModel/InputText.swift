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
    /// Drops spaces, tabs and a CR from both ends (CRLF files are tolerated everywhere): the
    /// Characters " ", "\t", "\r" and "\r\n". Found on the UTF-8 bytes (each Character step cost
    /// a grapheme-break search: a /proc/cpuinfo of two CPUs took 0.7 M instructions to read;
    /// callgrind, issue 16); where an end's byte meets a non-ASCII one, which may join it into
    /// another Character (a combining mark after a space), the Characters decide.
    public func trimmingWhitespace() -> Substring {
        var copy = self
        let kept: Range<Int>? = copy.withUTF8 { bytes in
            func blank(_ i: Int) -> Bool {
                let b = bytes[i]
                return b == 0x20 || b == 0x09 || b == 0x0D || (b == 0x0A && i > 0 && bytes[i - 1] == 0x0D)
            }
            var lo = 0, hi = bytes.count
            while lo < hi, blank(lo) { lo += 1 }
            while hi > lo, blank(hi - 1) { hi -= 1 }
            if lo > 0, lo < bytes.count, bytes[lo] >= 0x80 { return nil }
            if hi < bytes.count, hi > 0, bytes[hi - 1] >= 0x80 { return nil }
            return lo..<hi
        }
        guard let kept else { return trimmingWhitespaceCharacters() }
        return self[utf8.index(startIndex, offsetBy: kept.lowerBound)..<utf8.index(startIndex, offsetBy: kept.upperBound)]
    }

    /// `trimmingWhitespace` Character by Character.
    func trimmingWhitespaceCharacters() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" || c == "\r" || c == "\r\n" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" || c == "\r\n" { s = s.dropLast() }
        return s
    }
}

extension StringProtocol {
    /// Without leading and trailing white space: the Unicode White_Space characters, newlines
    /// included, which are what Foundation's `.whitespacesAndNewlines` holds (virtcheck links
    /// FoundationEssentials only, issue 16).
    public func trimmed() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }

    /// Lines split at LF and at CRLF. Swift reads "\r\n" as one Character, so `split(separator: "\n")`
    /// never splits a CRLF file: a capture saved on Windows was one long line.
    ///
    /// The lines `split(maxSplits:omittingEmptySubsequences:) { $0 == "\n" || $0 == "\r\n" }` gives,
    /// found on UTF-8 bytes: an LF is always a Character of its own or the end of a CRLF, so each
    /// LF byte, with a CR just before it, is exactly one separator. Splitting on Characters made the
    /// grapheme breaking of every captured line a fifth of a corpus baseline's instructions
    /// (callgrind, issue 16).
    public func inputLines(maxSplits: Int = Int.max, omittingEmptySubsequences: Bool = true) -> [SubSequence] {
        let found = utf8.withContiguousStorageIfAvailable {
            lineRanges(in: $0, maxSplits: maxSplits, omittingEmptySubsequences: omittingEmptySubsequences)
        }
        guard let found else {
            return split(maxSplits: maxSplits, omittingEmptySubsequences: omittingEmptySubsequences) { $0 == "\n" || $0 == "\r\n" }
        }
        let base = utf8.startIndex
        return found.map { self[utf8.index(base, offsetBy: $0.lowerBound)..<utf8.index(base, offsetBy: $0.upperBound)] }
    }
}

/// The byte ranges of `inputLines`, as the standard library's `split` finds its subsequences:
/// `maxSplits` counts the lines kept, and the rest after the last split is one more line.
private func lineRanges(in bytes: UnsafeBufferPointer<UInt8>, maxSplits: Int, omittingEmptySubsequences: Bool) -> [Range<Int>] {
    precondition(maxSplits >= 0, "Must take zero or more splits")
    var lines: [Range<Int>] = []
    var start = 0
    if maxSplits > 0 {
        var cursor = 0
        while cursor < bytes.count {
            defer { cursor += 1 }
            guard bytes[cursor] == UInt8(ascii: "\n") else { continue }
            let end = cursor > start && bytes[cursor - 1] == UInt8(ascii: "\r") ? cursor - 1 : cursor
            let kept = end > start || !omittingEmptySubsequences
            if kept { lines.append(start..<end) }
            start = cursor + 1
            if kept && lines.count == maxSplits { break }
        }
    }
    if start < bytes.count || !omittingEmptySubsequences { lines.append(start..<bytes.count) }
    return lines
}
