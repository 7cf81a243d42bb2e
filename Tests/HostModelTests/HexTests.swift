import HostModel
import Testing

/// `Hex.parse` reads bytes itself (issue 16); the standard library's parser is the reference for
/// every unsigned spelling, drawn from the characters that matter.
struct HexTests {
    /// What `Hex.parse` did with `UInt64(_:radix:)`, less the sign it also took.
    static func reference(_ text: String) -> UInt64? {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 16, digits.first != "+", digits.first != "-" else { return nil }
        return UInt64(digits, radix: 16)
    }

    @Test func agreesWithTheStandardLibrary() {
        let alphabet = Array("0123456789abcdefABCDEFxX+- g\u{e9}")
        var generator = SystemRandomNumberGenerator()
        var parsed = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...19, using: &generator)
            var text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            if Bool.random(using: &generator) { text = "0x" + text }
            let expected = Self.reference(text)
            #expect(Hex.parse(Substring(text)) == expected, "\(text)")
            if expected != nil { parsed += 1 }
        }
        #expect(parsed > 100)
    }

    @Test func writesTheSnapshotSpellings() {
        #expect(Hex.format32(0x1c) == "0x0000001c")
        #expect(Hex.format32(0xFFFF_FFFF) == "0xffffffff")
        #expect(Hex.format64(0) == "0x0000000000000000")
        #expect(Hex.format64(0xFEE0_0000_0123_ABCD) == "0xfee000000123abcd")
        for _ in 0..<1000 {
            let value = UInt64.random(in: 0...UInt64.max)
            let digits = String(value, radix: 16)
            #expect(Hex.format64(value) == "0x" + String(repeating: "0", count: 16 - digits.count) + digits)
            #expect(Hex.parse(Substring(Hex.format64(value))) == value)
        }
    }

    @Test func readsTheSnapshotSpellings() {
        #expect(Hex.parse32("0x0000001c") == 0x1c)
        #expect(Hex.parse32("0XFFFFFFFF") == 0xFFFF_FFFF)
        #expect(Hex.parse32("0x100000000") == nil)
        #expect(Hex.parse("ffffffffffffffff") == UInt64.max)
        #expect(Hex.parse("0x") == nil)
        #expect(Hex.parse("+ff") == nil)
        #expect(Hex.parse("0x 1") == nil)
    }
}
