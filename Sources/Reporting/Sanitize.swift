import HostModel

/// Untrusted strings (brand strings, PCI names, snapshot contents) reach a terminal only as
/// inert text: control characters (escape sequences, newlines) and the bidirectional overrides
/// that reorder what a terminal shows (U+200E/F, U+202A–E, U+2066–9: "Trojan Source") become `?`.
public enum Sanitize {
    public static func line(_ s: String, limit: Int = 500) -> String {
        var out = ""
        for scalar in s.unicodeScalars.prefix(limit) {
            out.unicodeScalars.append(InputText.isInert(scalar) ? "?" : scalar)
        }
        return s.unicodeScalars.count > limit ? out + "…" : out
    }
}
