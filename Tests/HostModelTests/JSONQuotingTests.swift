import HostModel
import Testing

/// The report's string quoting (`JSONValue.quote`), which copies runs of bytes and decodes a
/// scalar only where a byte is not printable ASCII (issue 16), against its rule written scalar
/// by scalar: `\"`, `\\`, `\n`, `\r`, `\t`, every other C0 control, DEL, C1 control, bidi control
/// and U+2028/U+2029 as `\uxxxx`, everything else as it is.
struct JSONQuotingTests {
    static func rule(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let v = scalar.value
                let escaped = v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v)
                    || (0x2066...0x2069).contains(v) || v == 0x2028 || v == 0x2029
                if escaped {
                    let hex = String(v, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Scalars of every class the rule tells apart, and their UTF-8 lengths 1 to 4.
    static let alphabet: [Unicode.Scalar] = ["a", "Z", " ", "/", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{8}", "\u{1b}", "\u{1f}",
                                             "\u{7f}", "\u{80}", "\u{85}", "\u{9b}", "\u{9f}", "\u{a0}", "é", "\u{301}", "µ",
                                             "–", "日", "\u{200d}", "\u{200e}", "\u{200f}", "\u{2027}", "\u{2028}", "\u{2029}",
                                             "\u{202a}", "\u{202e}", "\u{202f}", "\u{2065}", "\u{2066}", "\u{2069}", "\u{206a}",
                                             "\u{fffd}", "🙂", "\u{10ffff}",
                                             // decoded wrong (a lead byte masked short), these would read as C1 and bidi controls
                                             "\u{485}", "\u{a028}", "\u{102028}"]

    @Test func everyMixOfScalarsIsQuotedByTheRule() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<3000 {
            var s = ""
            for _ in 0..<next(24) { s.unicodeScalars.append(Self.alphabet[next(Self.alphabet.count)]) }
            #expect(JSONValue.string(s).serialized() == Self.rule(s), "\(Array(s.unicodeScalars.map(\.value)))")
        }
        let long = String(repeating: "plain text – with a dash, \"quoted\"\n", count: 300)
        #expect(JSONValue.string(long).serialized() == Self.rule(long))
    }
}
