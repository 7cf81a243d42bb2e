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
        // Foundation's JSON decoder refuses a lone surrogate escape: the whole snapshot is unusable.
        ("lone-surrogate.json", Array("{\"snapshot_version\": 1, \"tool\": {\"name\": \"\\ud800\"}}".utf8)),
        // lspci output cut short (16 of 64 bytes), a function listed twice, a kernel log line no kernel writes.
        ("truncated-lspci-x.txt", Array("00:00.0 Host bridge: Intel\n00: 86 80 57 0d 00 00 00 00 00 00 00 06 00 00 00 00\n".utf8)),
        ("twice-lspci-vvv.txt", Array("00:1f.0 ISA bridge: Intel\n\tControl: I/O+\n00:1f.0 ISA bridge: Intel\n\tControl: I/O+\n".utf8)),
        ("long-dmesg.txt", Array(("[    0.000000] Linux version 6.1.0\n[    0.1] " + String(repeating: "A", count: 5000) + "\n").utf8)),
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

    /// Things that are not files must not hang `--from`: each is refused at once (exit 2).
    @Test(arguments: ["fifo", "/dev/zero", "/dev/null", "/dev/stdin"])
    func nonRegularInputIsRefusedWithoutHanging(_ what: String) throws {
        var path = what
        if what == "fifo" {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-fifo-\(getpid())").path
            unlink(path)
            #expect(mkfifo(path, 0o600) == 0)
        }
        let r = try VirtCheckBinary.run(["check", "--from", path], timeout: 30)
        #expect(!r.timedOut, "--from \(what) hung")
        #expect(r.status == 2)
        #expect(r.stderr.contains("not a regular file"))
    }

    /// In a directory only regular files count: a FIFO, a device link and a symlink loop beside a
    /// real capture are skipped, and the capture is analysed.
    @Test func directoryWithFifoDeviceAndSymlinkLoopUsesItsRegularFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-odd-dir-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: dir + "/zero", withDestinationPath: "/dev/zero")
        try FileManager.default.createSymbolicLink(atPath: dir + "/loop-a", withDestinationPath: dir + "/loop-b")
        try FileManager.default.createSymbolicLink(atPath: dir + "/loop-b", withDestinationPath: dir + "/loop-a")
        let onlyOdd = try VirtCheckBinary.run(["check", "--from", dir], timeout: 30)
        #expect(!onlyOdd.timedOut)
        #expect(onlyOdd.status == 2)
        #expect(onlyOdd.stderr.contains("no files"))
        try FileManager.default.copyItem(atPath: VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/roots/genoa-pvm-guest/cpuid-r.txt"),
                                         toPath: dir + "/cpuid-r.txt")
        let r = try VirtCheckBinary.run(["check", "--from", dir, "--format", "json"], timeout: 60)
        #expect(!r.timedOut)
        #expect(r.status != 2, "the regular file is analysed: \(r.stderr)")
        #expect(r.json != nil)
    }

    /// A `--root` tree whose evidence files are FIFOs and devices is read without hanging.
    @Test func rootTreeWithFifosFinishes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-fifo-root-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        for sub in ["proc/sys/kernel", "dev/cpu/0", "sys/devices/system/cpu", "sys/firmware/acpi/tables"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        for fifo in ["proc/cpuinfo", "proc/cmdline", "proc/sys/kernel/osrelease", "dev/cpu/0/msr", "sys/firmware/acpi/tables/DMAR"] {
            #expect(mkfifo(dir + "/" + fifo, 0o600) == 0)
        }
        try FileManager.default.createSymbolicLink(atPath: dir + "/dev/cpu/0/cpuid", withDestinationPath: "/dev/zero")
        try String(repeating: "0-65535,", count: 4000).write(toFile: dir + "/sys/devices/system/cpu/online", atomically: false, encoding: .utf8)
        let r = try VirtCheckBinary.run(["check", "--root", dir, "--format", "json"], timeout: 60)
        #expect(!r.timedOut, "--root over FIFOs hung")
        #expect([1, 3].contains(r.status), "\(r.stderr)")
        #expect(r.json != nil)
    }

    /// A path with a newline and an escape sequence in its name still gives one inert line.
    @Test func hostilePathInErrorIsOneInertLine() throws {
        let path = try Self.temp("evil\n\u{1B}[2Jname\u{202E}.txt", Array("not evidence\n".utf8))
        let r = try VirtCheckBinary.run(["check", "--from", path])
        #expect(r.status == 2)
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!r.stderr.contains("\u{1B}"))
        #expect(!r.stderr.contains("\u{202E}"))
        #expect(r.stderr.contains("evil?"))
    }
}

/// A snapshot listing more PCI functions than any host has is refused at once, not analysed
/// for minutes (the passthrough rules compare devices pairwise).
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct OversizedSnapshotTests {
    @Test func tooManyPCIFunctionsIsUnusableInput() throws {
        let capture = VirtCheckBinary.repoPath("Data/hosts/workplace-amd-epyc-kvm-pvm.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: capture))) as? [String: Any])
        var pci = try #require(json["pci"] as? [String: Any])
        var one = try #require((pci["devices"] as? [[String: Any]])?.first)
        var config = try #require(one["config"] as? [String: Any])
        config["hex"] = String((config["hex"] as? String ?? "").prefix(128))  // the first 64 bytes: what a non-root read gets
        one["config"] = config
        pci["devices"] = Array(repeating: one, count: 5000)
        json["pci"] = pci
        let path = try BadInputTests.temp("huge-pci.json", Array(try JSONSerialization.data(withJSONObject: json)))
        let start = Date()
        let r = try VirtCheckBinary.run(["check", "--from", path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("PCI functions"))
        #expect(Date().timeIntervalSince(start) < 30)
    }
}

/// `--from DIR` reads a directory only up to its 4096-entry limit: a directory of 100,000 entries
/// is refused after a few thousand names, not after listing (and holding) all of them.
@Suite(.enabled(if: VirtCheckBinary.url != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
                "needs the virtcheck binary and strace"))
struct CrowdedDirectoryTests {
    @Test func directoryOfAHundredThousandEntriesIsRefusedWithoutListingThemAll() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-crowded-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for i in 0..<100_000 {
            let fd = open(dir + "/e\(i)", O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
            try #require(fd >= 0)
            close(fd)
        }
        let trace = dir + ".strace"
        defer { unlink(trace) }
        let r = try VirtCheckBinary.run(["check", "--from", dir], prefix: ["/usr/bin/strace", "-f", "-qq", "-e", "trace=getdents64", "-o", trace], timeout: 120)
        InputBudgetTests.expectRefused(r, "a directory of 10^5 entries", mentioning: "more than 4096 entries")
        // Each getdents64 returns at most 32 KiB (about a thousand of these names): listing all
        // 100,000 took about 100 calls; stopping at the limit takes a handful.
        let calls = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").filter { $0.contains("getdents64(") }.count
        #expect(calls < 20, "\(calls) getdents64 calls")
    }
}
