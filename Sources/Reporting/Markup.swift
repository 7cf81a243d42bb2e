import HostModel

/// HTML (and SVG) built by string interpolation where every interpolated `String` is escaped and
/// only `Markup` goes in as markup. Untrusted text (brand strings, PCI names, snapshot contents)
/// therefore cannot become an element or an attribute: forgetting to escape is not expressible.
public struct Markup: ExpressibleByStringInterpolation, Sendable, Hashable {
    public private(set) var html: String

    public init(stringLiteral value: String) { html = value }

    public init(stringInterpolation: StringInterpolation) { html = stringInterpolation.html }

    public struct StringInterpolation: StringInterpolationProtocol {
        var html = ""

        public init(literalCapacity: Int, interpolationCount: Int) { html.reserveCapacity(literalCapacity * 2) }
        public mutating func appendLiteral(_ literal: String) { html += literal }
        public mutating func appendInterpolation(_ text: String) { html += Markup.escape(text) }
        /// Text cut shorter than the default, where a long string would push the rest away (the verdict banner).
        public mutating func appendInterpolation(_ text: String, limit: Int) { html += Markup.escape(text, limit: limit) }
        public mutating func appendInterpolation(_ markup: Markup) { html += markup.html }
        public mutating func appendInterpolation(_ parts: [Markup]) { for p in parts { html += p.html } }
        public mutating func appendInterpolation(_ n: Int) { html += String(n) }
        /// A number for SVG geometry, with one decimal.
        public mutating func appendInterpolation(coordinate d: Double) { html += String((d * 10).rounded() / 10) }
    }

    /// The longest text shown in full; beyond it the page says how much was cut, so a hostile
    /// megabyte-long string cannot bury the report (the JSON keeps it whole).
    public static let textLimit = 2000

    /// Escapes `& < > " '`, so the result is safe in text and in quoted attribute values, and shows
    /// control characters (escape sequences, NUL, CR) as U+FFFD instead of passing them through.
    public static func escape(_ s: String, limit: Int = textLimit) -> String {
        var out = ""
        var count = 0
        for scalar in s.unicodeScalars {
            count += 1
            if count > limit { continue }
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                // A bidi override would reorder the page's text, a character reference included.
                out.unicodeScalars.append(InputText.isInert(scalar) ? "\u{FFFD}" : scalar)
            }
        }
        if count > limit { out += "… (\(count - limit) more characters)" }
        return out
    }
}
