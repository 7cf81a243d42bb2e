@testable import HostModel
import Testing

/// `trimmingWhitespace`, `CPUInfo.colon` and `CPUInfo.looksLikeCPUInfo` work on UTF-8 bytes
/// (issue 16) and must give exactly what the Character versions gave: CRLF at either end, lone CRs
/// and LFs, a combining mark after a space or a colon, a prepended mark before a space or a colon,
/// emoji, every edge.
@Suite struct TrimmingWhitespaceTests {
    static let cores = ["", "x", "a b", "é", "日本", "🙂", "\u{301}", "a\u{301}", "\u{600}", "k : v", "k:v", ":", "::",
                        "k\u{301}:v", "k:\u{301}v", "\u{600}:v", "flags\t\t: fpu vme de", "\u{85}", "\u{2028}x"]
    static let edges = ["", " ", "\t", "\r", "\n", "\r\n", " \r\n", "\r\r\n", "\n\r", " \t \r", "\u{301}", " \u{301}", "\u{600} ", "\u{A0}"]

    static var texts: [String] {
        var all: [String] = []
        for core in cores { for lead in edges { for trail in edges { all.append(lead + core + trail) } } }
        return all
    }

    @Test func trimsAsTheCharactersDid() {
        for text in Self.texts {
            for sub in [Substring(text), ("#" + text + "#").dropFirst().dropLast()] {
                #expect(String(sub.trimmingWhitespace()) == String(sub.trimmingWhitespaceCharacters()), "\(Array(text.unicodeScalars))")
            }
        }
    }

    /// A `processor : N` line, told by the colon `parse` finds, as the Character split told it.
    @Test func tellsCPUInfoAsTheCharactersDid() {
        let lines = ["processor : 0", "processor:0", "processor :", "processor : ", ":0", "processor\u{301} : 0", "processor :\u{301}0",
                     "processor \u{301}: 0", "\u{600}processor : 0", "model : x\nprocessor : 1", "processor", "processor = 0"]
        for line in lines {
            for lead in Self.edges {
                for trail in Self.edges {
                    let text = Substring(lead + line + trail)
                    let reference = text.inputLines(maxSplits: 4).prefix(4).contains { line in
                        let parts = line.split(separator: ":", maxSplits: 1)
                        return parts.count == 2 && parts[0].trimmingWhitespaceCharacters() == "processor"
                    }
                    #expect(CPUInfo.looksLikeCPUInfo(text) == reference, "\(Array(text.unicodeScalars))")
                }
            }
        }
    }

    @Test func findsTheColonTheCharactersFound() {
        for text in Self.texts {
            let sub = ("#" + text + "#").dropFirst().dropLast()
            let reference = sub.firstIndex(of: ":").map { $0..<sub.index(after: $0) }
            #expect(CPUInfo.colon(in: sub) == reference, "\(Array(text.unicodeScalars))")
        }
    }
}
