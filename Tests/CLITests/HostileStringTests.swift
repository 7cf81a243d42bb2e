import Foundation
import Testing

/// Strings from a snapshot are untrusted: Fixtures/hostile-snapshot.json carries a CPU brand
/// string (in the CPUID registers) with an OSC sequence, markup, a CSI byte and invalid UTF-8, and
/// a kernel release, PCI names, a driver and an IOMMU unit name with ANSI escapes, markup, CR/LF,
/// NUL, a C1 control, a right-to-left override and 20,000 characters. Every format must render
/// them inert. (The fixture is the genoa-pvm-guest and nonroot-intel-desktop captures, edited.)
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct HostileStringTests {
    /// One line per report format: what, beyond the checks every format gets, makes its output safe.
    static let formats: [(format: String, isSafe: @Sendable (String) -> Bool)] = [
        ("text", { !$0.contains("\u{202E}") && !$0.contains("\u{9B}") && $0.split(separator: "\n").allSatisfy { $0.count < 4000 } }),
        ("json", { out in (try? JSONSerialization.jsonObject(with: Data(out.utf8))) != nil }),
    ]

    static let input = VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/hostile-snapshot.json")

    @Test(arguments: formats.map(\.format))
    func hostileStringsComeOutInert(_ format: String) throws {
        let r = try VirtCheckBinary.run(["check", "--from", Self.input, "--format", format])
        #expect([0, 1, 3].contains(r.status), "the snapshot is analysed: \(r.stderr)")
        #expect(!r.stdout.isEmpty)
        #expect(!r.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "a raw control character (ESC, CR, NUL, BEL) reached the output")
        #expect(!r.stdout.contains("\u{FFFD}\u{FFFD}\u{FFFD}"), "the output is valid UTF-8")
        #expect(r.stdout.contains("owned"), "the hostile strings are in the report, made inert, not dropped")
        #expect(Self.formats.first { $0.format == format }!.isSafe(r.stdout))
    }

    /// JSON escapes rather than alters: the hostile kernel release round-trips exactly.
    @Test func jsonKeepsTheExactString() throws {
        let r = try VirtCheckBinary.run(["check", "--from", Self.input, "--format", "json"])
        let host = try #require(r.json?["host"] as? [String: Any])
        let kernel = try #require(host["kernel"] as? String)
        #expect(kernel.hasPrefix("6.1\u{1B}[31m<img src=x onerror=alert(1)>&amp;\"'\r\n"))
        #expect(kernel.contains("\u{0}\u{9B}\u{202E}"))
        let brand = try #require(host["brand"] as? String)
        #expect(brand.hasPrefix("\u{1B}]0;owned\u{7}<script>"))
    }

    /// The `--from` path is untrusted too: it appears on the text report's source line.
    @Test func hostileSourcePathIsInertInText() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-hostile-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("snap\u{1B}[2J\n<b>.json").path
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: Self.input, toPath: path)
        let r = try VirtCheckBinary.run(["check", "--from", path, "--format", "text"])
        #expect([0, 1, 3].contains(r.status))
        #expect(!r.stdout.contains("\u{1B}"))
        #expect(r.stdout.contains("snap?[2J?<b>.json"))
    }
}
