/// Untrusted strings (brand strings, PCI names, snapshot contents) reach a terminal only as
/// inert text: control characters (escape sequences, newlines) and the bidirectional overrides
/// that reorder what a terminal shows (U+200E/F, U+202A–E, U+2066–9: "Trojan Source") become `?`.
public enum Sanitize {
    public static func line(_ s: String, limit: Int = 500) -> String {
        var out = ""
        for scalar in s.unicodeScalars.prefix(limit) {
            let v = scalar.value
            let inert = v < 0x20 || (v >= 0x7F && v < 0xA0) || v == 0x200E || v == 0x200F
                || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            out.unicodeScalars.append(inert ? "?" : scalar)
        }
        return s.unicodeScalars.count > limit ? out + "…" : out
    }
}
