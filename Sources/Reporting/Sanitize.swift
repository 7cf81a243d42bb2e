/// Untrusted strings (brand strings, PCI names, snapshot contents) reach a terminal only as
/// inert text: control characters (escape sequences, newlines) become `?`.
public enum Sanitize {
    public static func line(_ s: String, limit: Int = 500) -> String {
        var out = ""
        for scalar in s.unicodeScalars.prefix(limit) {
            let v = scalar.value
            out.unicodeScalars.append(v < 0x20 || (v >= 0x7F && v < 0xA0) ? "?" : scalar)
        }
        return s.unicodeScalars.count > limit ? out + "…" : out
    }
}
