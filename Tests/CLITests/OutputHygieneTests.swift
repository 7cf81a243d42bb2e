import Foundation
import Testing

/// Untrusted strings reach no terminal, browser or parser raw: C0/C1 controls and the bidi
/// controls that reorder text ("Trojan Source") are escaped (JSON keeps the exact string as
/// `\u` escapes) or replaced, in every format; JSON keys stay schema-valid; error lines stay one
/// line and name the file's own keys. Inputs: Fixtures/hostile-snapshot.json (C1 U+009B and
/// U+202E in the kernel release) and the workplace capture with hand-made edits.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct OutputHygieneTests {
    static let hostile = VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/hostile-snapshot.json")
    static let capture = VirtCheckBinary.repoPath("Data/hosts/workplace-amd-epyc-kvm-pvm.json")

    /// C0 other than LF and TAB, DEL, C1, and the bidi controls (LRM/RLM, LRE..RLO, LRI..PDI).
    static func raw(_ s: String) -> [UnicodeScalar] {
        s.unicodeScalars.filter { scalar in
            let v = scalar.value
            return (v < 0x20 && v != 0x0A && v != 0x09) || (0x7F...0x9F).contains(v) || v == 0x200E || v == 0x200F
                || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
        }
    }

    @Test(arguments: ["text", "json", "html", "junit", "prometheus", "nfd"])
    func noRawControlOrBidiCharacterInAnyFormat(_ format: String) throws {
        let r = try VirtCheckBinary.run(["check", "--from", Self.hostile, "--format", format])
        #expect([0, 1, 3].contains(r.status), "\(r.stderr)")
        let found = Self.raw(r.stdout)
        #expect(found.isEmpty, "\(format) carries raw \(found.prefix(5).map { String($0.value, radix: 16) })")
    }

    @Test func captureSnapshotEscapesControlAndBidiCharacters() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-hygiene-root-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.copyItem(atPath: VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/roots/genoa-pvm-guest"), toPath: dir)
        let release = "6.1\u{9B}31m\u{202E}evil\u{2066}"
        try release.write(toFile: dir + "/proc/sys/kernel/osrelease", atomically: false, encoding: .utf8)
        let r = try VirtCheckBinary.run(["capture", "--root", dir])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.raw(r.stdout).isEmpty)
        // Escaped, not lost: the snapshot still holds the exact string.
        #expect((r.json?["kernel"] as? [String: Any])?["release"] as? String == release)
    }

    /// A capability name is a JSON key of the report: one the schema's `^[a-z0-9_]+$` rejects
    /// must not become a key.
    @Test func oddCapabilityNameNeverBecomesAnInvalidKey() throws {
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.capture))) as? [String: Any])
        var kvm = try #require(json["kvm"] as? [String: Any])
        var caps = try #require(kvm["capabilities"] as? [[String: Any]])
        caps.append(["name": "Evil Name\u{202E}\n<b>", "number": 4242, "value": 1])
        caps.append(["name": "", "number": 4243, "value": 1])
        kvm["capabilities"] = caps
        json["kvm"] = kvm
        let path = try BadInputTests.temp("odd-cap.json", Array(try JSONSerialization.data(withJSONObject: json)))
        let r = try VirtCheckBinary.run(["check", "--from", path, "--format", "json"])
        #expect([0, 1, 3].contains(r.status), "\(r.stderr)")
        let keys = try #require(((r.json?["kvm"] as? [String: Any])?["capabilities"] as? [String: Any])?.keys)
        #expect(!keys.isEmpty)
        for key in keys {
            #expect(!key.isEmpty && key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" },
                    "capability key \(key.debugDescription) breaks the schema")
        }
    }

    /// Decoding errors name the keys as the file spells them (snake_case), not Swift properties.
    @Test func snapshotErrorsNameTheFilesOwnKeys() throws {
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.capture))) as? [String: Any])
        var host = try #require(json["host"] as? [String: Any])
        host["online_cpus"] = "zero"
        json["host"] = host
        let wrongType = try BadInputTests.temp("wrong-type.json", Array(try JSONSerialization.data(withJSONObject: json)))
        let r = try VirtCheckBinary.run(["check", "--from", wrongType])
        #expect(r.status == 2)
        #expect(r.stderr.contains("host.online_cpus"), "\(r.stderr)")
        #expect(!r.stderr.contains("onlineCpus"))

        json["snapshot_version"] = nil
        let missing = try BadInputTests.temp("missing-key.json", Array(try JSONSerialization.data(withJSONObject: json)))
        let m = try VirtCheckBinary.run(["check", "--from", missing])
        #expect(m.status == 2)
        #expect(m.stderr.contains("snapshot_version"), "\(m.stderr)")
        #expect(!m.stderr.contains("snapshotVersion"))
    }

    /// Vector files are untrusted text: their names and citations reach the terminal only inert.
    @Test func escapeSequencesFromVectorFilesNeverReachTheTerminal() throws {
        let wrong = try VerifyCommandTests.vectorFile("@ SDM \u{1B}]0;owned\u{7}\u{9B}2J\nwrong\u{1B}[2J.vmxoff\u{202E} | root cpl=3 | VMXOFF | VMsucceed\n")
        let r = try VirtCheckBinary.run(["verify", "--vectors", wrong])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(Self.raw(r.stdout).isEmpty, "verify's text output carries raw control characters")
        let json = try VirtCheckBinary.run(["verify", "--vectors", wrong, "--format", "json"])
        #expect(Self.raw(json.stdout).isEmpty)
        let malformed = try VerifyCommandTests.vectorFile("not\u{1B}[31m a | vector\u{9B}\n")
        let m = try VirtCheckBinary.run(["verify", "--vectors", malformed])
        #expect(m.status == 2)
        #expect(Self.raw(m.stderr.replacingOccurrences(of: "\n", with: "")).isEmpty, "\(m.stderr.debugDescription)")
        #expect(m.stderr.split(separator: "\n").count == 1)
    }

    /// A path with a newline in any error stays one line.
    @Test(arguments: [["verify", "--vectors"], ["check", "--policy"], ["check", "--root"], ["baseline", "--paths-from"]])
    func pathWithANewlineGivesOneErrorLine(_ command: [String]) throws {
        let r = try VirtCheckBinary.run(command + ["/nonexistent/evil\nsecond line\u{1B}[2J"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr.debugDescription)")
        #expect(Self.raw(r.stderr.replacingOccurrences(of: "\n", with: "")).isEmpty)
    }
}
