import Foundation
import Testing

/// Bad input to `--from` gets one clear line on stderr, exit 2, and nothing on stdout.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct BadInputTests {
    static func temp(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-bad-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static let cases: [(String, [UInt8])] = [
        ("truncated.json", Array("{\"snapshot_version\": 1, \"tool\": {\"name\": \"virtcheck\", \"vers".utf8)),
        ("wrong-shape.json", Array("{\"hello\": [1, 2, 3]}".utf8)),
        ("garbage.bin", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }),
        ("malformed-cpuid.txt", Array("CPU 0:\n   0x00000000 0x00: eax=0x0000000d ebx=0x756e6547 ecx=0x6c65746e\n".utf8)),
        ("malformed-msr.txt", Array("0x480 0xZZZZ\n".utf8)),
        ("empty.txt", []),
        ("not-utf8.txt", [0x43, 0x50, 0x55, 0xFF, 0xFE, 0x3A]),
        ("hostile.txt", Array("\u{1B}[31m<script>alert(1)</script>\n".utf8)),
    ]

    @Test(arguments: cases.map(\.0))
    func badFileExitsTwoWithOneLine(_ name: String) throws {
        let bytes = Self.cases.first { $0.0 == name }!.1
        let path = try Self.temp(name, bytes)
        let r = try VirtCheckBinary.run(["check", "--from", path, "--format", "json"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(r.stderr.hasPrefix("virtcheck: error: "))
        #expect(!r.stderr.contains("\u{1B}"), "escape sequences from the input must not reach the terminal")
    }

    @Test func missingPathExitsTwo() throws {
        let r = try VirtCheckBinary.run(["check", "--from", "/nonexistent/virtcheck/input"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("No such file"))
    }

    @Test func hugeFileIsRefusedBeforeReading() throws {
        let path = try Self.temp("huge.txt", [])
        let fd = open(path, O_WRONLY)
        #expect(ftruncate(fd, 1 << 30) == 0)
        close(fd)
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("limited to"))
    }

    @Test func emptyDirectoryExitsTwo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-empty-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let r = try VirtCheckBinary.run(["check", "--from", dir.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no files"))
    }

    @Test func twoCPUIDDumpsForOneHostExitTwo() throws {
        let dump = "CPU 0:\n   0x00000000 0x00: eax=0x00000001 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n"
        let a = try Self.temp("a.txt", Array(dump.utf8)), b = try Self.temp("b.txt", Array(dump.utf8))
        let r = try VirtCheckBinary.run(["check", "--from", a, "--from", b])
        #expect(r.status == 2)
        #expect(r.stderr.contains("second CPUID dump"))
    }

    @Test func fromAndRootTogetherIsAUsageError() throws {
        let r = try VirtCheckBinary.run(["check", "--from", "/tmp", "--root", "/tmp"])
        #expect(r.status == 64)
    }
}
