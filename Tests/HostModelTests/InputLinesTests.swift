import HostModel
import Testing

/// `inputLines` (split on UTF-8 bytes, issue 16) gives exactly the lines the Character split it
/// replaced gave, for every awkward text: CRLF and lone CRs, empty lines kept or omitted, a
/// combining mark after a line feed, non-ASCII text, and every maxSplits.
@Suite struct InputLinesTests {
    /// What `inputLines` was: the standard library's split on Characters.
    static func reference(_ text: Substring, maxSplits: Int, omitting: Bool) -> [String] {
        text.split(maxSplits: maxSplits, omittingEmptySubsequences: omitting, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map(String.init)
    }

    static let texts = [
        "", "\n", "\r\n", "\n\n", "\r\n\r\n", "one", "one\n", "one\r\n", "one\ntwo", "one\r\ntwo\r\n",
        "\none\n\ntwo\n\n", "a\r\rb\r\n", "a\r", "\r", "\r\r\n", "a\n\r\nb", "x\n\u{301}y\n", "é\r\nü\n日本\n🙂",
        "CPU 0:\n   0x00000000 0x00: eax=0x0000000d ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n",
        " \t\r\n\t \n  lead\n", "\u{2028}\n\u{85}\n\u{0}\n",
    ]

    @Test(arguments: texts)
    func splitsAsTheCharacterSplitDid(_ text: String) {
        for omitting in [true, false] {
            for maxSplits in [0, 1, 2, 3, 8, Int.max] {
                #expect(text.inputLines(maxSplits: maxSplits, omittingEmptySubsequences: omitting).map(String.init)
                            == Self.reference(Substring(text), maxSplits: maxSplits, omitting: omitting), "\(maxSplits) \(omitting)")
                let inner = ("#" + text + "#").dropFirst().dropLast()
                #expect(inner.inputLines(maxSplits: maxSplits, omittingEmptySubsequences: omitting).map(String.init)
                            == Self.reference(inner, maxSplits: maxSplits, omitting: omitting), "substring \(maxSplits) \(omitting)")
            }
        }
    }
}
