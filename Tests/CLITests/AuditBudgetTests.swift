import Foundation
import Testing

/// The red team's second round against this round's new readers: pasted kernel logs, vector
/// files and folders, IOMMU units in every input kind, and flags a command ignored in silence.
/// Each input is hand-made (no real capture comes near these counts); each test fails on the
/// code before its fix.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct AuditBudgetTests {
    static func write(_ name: String, _ text: String) throws -> String {
        try BadInputTests.temp(name, Array(text.utf8))
    }

    /// `DMAR: dmarN: reg_base_addr …` for `count` distinct units (the line format of a real boot,
    /// Data/hosts/lab-q35-intel-iommu-sriov/dmesg.txt).
    static func unitLines(_ count: Int) -> String {
        (0..<count).map { "[    0.004000] DMAR: dmar\($0): reg_base_addr fed90000 ver 1:0 cap d2008c22260286 ecap f00f4a\n" }.joined()
    }

    /// 300,000 units in a 28 MB dmesg ran for minutes and gigabytes (13 KB and 0.6 ms each).
    @Test func kernelLogNamingMoreIOMMUUnitsThanLinuxSupportsIsRefused() throws {
        let path = try Self.write("units.dmesg", "[    0.000000] Linux version 6.1.0-57-amd64\n[    0.000000] DMAR: IOMMU enabled\n" + Self.unitLines(1025))
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path], timeout: 120)
        InputBudgetTests.expectRefused(r, "1025 VT-d units", mentioning: "more than 1024 IOMMU units")
    }

    /// 400,000 repeats of one recognised line took a minute and 200 MB: every rule that reads the
    /// log searched them all.
    @Test func kernelLogWithMoreRecognisedLinesThanAnyHostIsRefused() throws {
        let line = "[    1.000000] pci 0000:00:01.0: Adding to iommu group 1\n"
        let path = try Self.write("repeats.dmesg", String(repeating: line, count: 65_537))
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path], timeout: 120)
        InputBudgetTests.expectRefused(r, "65,537 recognised lines", mentioning: "more than 65536 lines")
    }

    @Test func snapshotWithMoreIOMMUUnitsThanLinuxSupportsIsRefused() throws {
        let capture = VirtCheckBinary.repoPath("Data/hosts/lab-q35-intel-iommu-sriov.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: capture))) as? [String: Any])
        var iommu = try #require(json["iommu"] as? [String: Any])
        let unit = try #require((iommu["units"] as? [[String: Any]])?.first)
        iommu["units"] = (0..<1025).map { i -> [String: Any] in
            var u = unit
            u["name"] = "dmar\(i)"
            return u
        }
        json["iommu"] = iommu
        let path = try BadInputTests.temp("units-snapshot.json", Array(try JSONSerialization.data(withJSONObject: json)))
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["check", "--from", path], timeout: 120)
        InputBudgetTests.expectRefused(r, "a snapshot of 1025 IOMMU units", mentioning: "1025 IOMMU units")
    }

    /// A `--root` tree is evidence: its /sys/class/iommu with more units than Linux supports is
    /// unread (an error), not 1025 units decoded and reported.
    @Test func treeWithMoreIOMMUUnitsThanLinuxSupportsLeavesThemUnread() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-units-root-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/proc", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/roots/genoa-pvm-guest/proc/cpuinfo"), toPath: dir + "/proc/cpuinfo")
        for i in 0..<1025 {
            let unit = dir + "/sys/class/iommu/dmar\(i)/intel-iommu"
            try FileManager.default.createDirectory(atPath: unit, withIntermediateDirectories: true)
            try "d2008c22260286\n".write(toFile: unit + "/cap", atomically: false, encoding: .utf8)
            try "f00f4a\n".write(toFile: unit + "/ecap", atomically: false, encoding: .utf8)
        }
        let snapshot = dir + ".json"
        defer { unlink(snapshot) }
        let r = try VirtCheckBinary.run(["capture", "--root", dir, "--no-guest", "--output", snapshot], timeout: 120)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snapshot))) as? [String: Any])
        let iommu = try #require(json["iommu"] as? [String: Any])
        #expect((iommu["units"] as? [Any])?.isEmpty == true)
        #expect(iommu["units_status"] as? String == "error")
    }

    /// A 2 MiB vector file of 20,000 vectors ran them all (one 4 MiB file: 13 s; a folder of 256
    /// such files: an hour); now one run checks at most 16,384.
    @Test func vectorFileOfTwentyThousandVectorsIsRefused() throws {
        var text = "@ SDM VMCALL row 4: CPL > 0 -> #GP(0) (copied 20,000 times)\n"
        for i in 0..<20_000 { text += "vmcall.copy\(i) | current cpl=3 | VMCALL | #GP(0)\n" }
        let path = try Self.write("many.vectors", text)
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["verify", "--vectors", path], timeout: 120)
        InputBudgetTests.expectRefused(r, "20,000 vectors", mentioning: "at most 16384")
    }

    /// The folder is read only up to 4096 entries (it was listed whole before its 256-file limit).
    @Test func vectorFolderOfTenThousandEntriesIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-vector-dir-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "@ SDM VMCALL row 4\nvmcall.one | current cpl=3 | VMCALL | #GP(0)\n".write(toFile: dir + "/one.vectors", atomically: false, encoding: .utf8)
        for i in 0..<10_000 { close(open(dir + "/notes\(i).txt", O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)) }
        let r = try VirtCheckBinary.run(["verify", "--vectors", dir], timeout: 120)
        InputBudgetTests.expectRefused(r, "a folder of 10,001 entries", mentioning: "more than 4096 entries")
    }

    /// `capture` wrote snapshots `check --from` refuses: text is kept verbatim and escaped, so a
    /// 6 MB cpuinfo whose model name is control characters became a 36 MB snapshot (each one
    /// `\u0001`). Hand-made: no real cpuinfo holds them.
    @Test func captureWritesNoSnapshotCheckWouldRefuse() throws {
        let text = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: " + String(repeating: "\u{01}", count: 6_000_000) + "\nflags\t\t: fpu vmx lm nx\n"
        let path = try Self.write("control-characters.cpuinfo", text)
        defer { unlink(path) }
        let r = try VirtCheckBinary.run(["capture", "--from", path], timeout: 120)
        InputBudgetTests.expectRefused(r, "a 36 MB snapshot", mentioning: "more than the 32 MiB `check --from` reads")
        let direct = try VirtCheckBinary.run(["check", "--from", path], timeout: 120)
        #expect(direct.status != 2, "the file itself is usable input: \(direct.stderr)")
    }

    /// `--output ""` wrote the report to a temporary file in the working directory and then said
    /// "virtcheck: error: : cannot rename into place".
    @Test(arguments: ["check", "capture", "baseline"])
    func emptyOutputPathIsOneClearLine(_ command: String) throws {
        let input = VirtCheckBinary.repoPath("Data/hosts/workplace-amd-epyc-kvm-pvm.json")
        let r = try VirtCheckBinary.run([command, command == "baseline" ? input : "--from", input, "--output", ""], timeout: 60)
        InputBudgetTests.expectRefused(r, "--output \"\"", mentioning: "--output: empty path")
    }

    /// `--vectors` with `--on-cpu` or `--against-kvm` was ignored in silence (exit 3 or 0 without
    /// the user's vectors ever running); the two modes together ran only `--against-kvm`.
    @Test(arguments: [["--on-cpu", "--vectors", "Data/spec/vmcall.vectors"], ["--against-kvm", "--vectors", "Data/spec/vmcall.vectors"],
                      ["--on-cpu", "--against-kvm"]])
    func verifyRefusesFlagsItWouldIgnore(_ arguments: [String]) throws {
        let r = try VirtCheckBinary.run(["verify"] + arguments.map { $0.hasPrefix("Data/") ? VirtCheckBinary.repoPath($0) : $0 }, timeout: 60)
        #expect(r.status == 64, "\(arguments): exit \(r.status) \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("--on-cpu") || r.stderr.contains("--vectors"), "\(r.stderr)")
    }
}

/// A `--root` tree listing more PCI functions than one host has: `check --root` analysed all of
/// them (6,000 in 28 s) while `capture --root`'s snapshot of the same tree was refused by
/// `check --from` (exit 2). The tree's PCI evidence is now an error with the reason, and the two
/// paths agree.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct CrowdedTreeTests {
    @Test func treeWithMorePCIFunctionsThanOneHostAgreesWithItsSnapshot() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-pci-root-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/proc", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/roots/genoa-pvm-guest/proc/cpuinfo"), toPath: dir + "/proc/cpuinfo")
        let config = Data([0x86, 0x80, 0x21, 0x15, 0x07, 0x01, 0x10, 0x00, 0, 0, 0, 2, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 48))
        for i in 0..<4097 {
            let function = dir + String(format: "/sys/bus/pci/devices/0000:%02x:%02x.%d", (i >> 8) & 0xFF, (i >> 3) & 0x1F, i & 7)
            try FileManager.default.createDirectory(atPath: function, withIntermediateDirectories: true)
            try config.write(to: URL(fileURLWithPath: function + "/config"))
        }
        let live = try VirtCheckBinary.run(["check", "--root", dir, "--no-guest", "--format", "json"], timeout: 120)
        #expect([1, 3].contains(live.status), "\(live.stderr)")
        let pci = try #require(live.json?["pci"] as? [String: Any])
        #expect((pci["devices"] as? [Any])?.isEmpty ?? true, "the functions are not analysed one by one")
        let snapshot = dir + ".json"
        defer { unlink(snapshot) }
        let capture = try VirtCheckBinary.run(["capture", "--root", dir, "--no-guest", "--output", snapshot], timeout: 120)
        #expect(capture.status == 0, "\(capture.stderr)")
        let replay = try VirtCheckBinary.run(["check", "--from", snapshot, "--format", "json"], timeout: 120)
        #expect(replay.status == live.status, "check --from the capture: exit \(replay.status), \(replay.stderr)")
        let text = try String(contentsOfFile: snapshot, encoding: .utf8)
        #expect(text.contains("at most 4096 are analysed"), "the snapshot says why the PCI evidence is missing")
    }
}

/// One host's `lspci -vvv` beside another host's `lspci -xxxx` was merged function by function
/// into a machine that does not exist (exit 3, a report). The real captures are the lab's q35
/// machines and this project's KVM guest (Data/hosts/lab-*, Tests/HostProbeTests/Fixtures/pasted).
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct MixedHostPasteTests {
    @Test(arguments: ["lab-q35-intel-iommu-sriov", "lab-q35-amd-iommu", "lab-q35-virtio-iommu", "lab-amd-epyc-npt"])
    func oneHostsListingAndDumpAreRead(_ host: String) throws {
        let r = try VirtCheckBinary.run(["check", "--from", VirtCheckBinary.repoPath("Data/hosts/\(host)/lspci-vvv.txt"),
                                         "--from", VirtCheckBinary.repoPath("Data/hosts/\(host)/lspci-xxxx.txt")], timeout: 60)
        #expect(r.status != 2, "\(r.stderr)")
    }

    @Test func twoHostsListingAndDumpAreRefused() throws {
        let r = try VirtCheckBinary.run(["check", "--from", VirtCheckBinary.repoPath("Data/hosts/lab-q35-intel-iommu-sriov/lspci-vvv.txt"),
                                         "--from", VirtCheckBinary.repoPath("Data/hosts/lab-q35-amd-iommu/lspci-xxxx.txt")], timeout: 60)
        InputBudgetTests.expectRefused(r, "two hosts' lspci runs", mentioning: "two hosts' lspci runs")
        #expect(r.stderr.contains("02:00.1"))
    }

    /// The same functions, but one's IDs (`-nn`) differ from the dump's bytes (edited by hand).
    @Test func listingWhoseIDsDisagreeWithTheDumpIsRefused() throws {
        let pasted = "Tests/HostProbeTests/Fixtures/pasted/"
        let listing = try String(contentsOfFile: VirtCheckBinary.repoPath(pasted + "kvm-guest__lspci-nnvvvk.txt"), encoding: .utf8)
        let edited = listing.replacingOccurrences(of: "block device [1af4:1042] (rev", with: "block device [1af4:1049] (rev")
        try #require(edited != listing)
        let path = try BadInputTests.temp("edited-nnvvvk.txt", Array(edited.utf8))
        defer { unlink(path) }
        let same = try VirtCheckBinary.run(["check", "--from", VirtCheckBinary.repoPath(pasted + "kvm-guest__lspci-nnvvvk.txt"),
                                            "--from", VirtCheckBinary.repoPath(pasted + "kvm-guest__lspci-xxxx.txt")], timeout: 60)
        #expect(same.status != 2, "\(same.stderr)")
        let r = try VirtCheckBinary.run(["check", "--from", path, "--from", VirtCheckBinary.repoPath(pasted + "kvm-guest__lspci-xxxx.txt")], timeout: 60)
        InputBudgetTests.expectRefused(r, "IDs that disagree", mentioning: "is 1af4:1049 here but 1af4:1042")
    }
}
