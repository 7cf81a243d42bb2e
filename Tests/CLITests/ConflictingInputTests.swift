import Foundation
import Testing

/// Files given together with `--from` (several, or one directory) must be one host's: a dump of
/// an AMD CPU beside an Intel cpuinfo is two machines, and merging them would describe neither.
/// Each conflict is exit 2 with one line naming both files. The captures are real (Tests/Fixtures,
/// the genoa-pvm-guest tree); only their pairing is wrong.
@Suite(.enabled(if: VirtCheckBinary.url != nil, "the virtcheck binary is not built"))
struct ConflictingInputTests {
    static let amdDump = VirtCheckBinary.repoPath("Tests/Fixtures/cpuid-r/AMD-19h-Zen4-2xEpyc-9654.cpuid-r.txt")
    static let intelDump = VirtCheckBinary.repoPath("Tests/Fixtures/cpuid-r/Intel-SapphireRapids-2xXeonMax9460.cpuid-r.txt")
    static let intelCpuinfo = VirtCheckBinary.repoPath("Tests/Fixtures/reports/intel-xeon.cpuinfo")
    static let genoa = VirtCheckBinary.repoPath("Tests/CLITests/Fixtures/roots/genoa-pvm-guest")

    static func expectConflict(_ r: VirtCheckBinary.Result, naming a: String, _ b: String) {
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        let nameA = (a as NSString).lastPathComponent, nameB = (b as NSString).lastPathComponent
        #expect(r.stderr.contains(nameA) && r.stderr.contains(nameB), "names both files: \(r.stderr)")
    }

    /// A real IOMMU group listing beside the lab's q35 snapshot, which holds its own IOMMU
    /// evidence: the listing was dropped without a word (exit 3, the snapshot's groups
    /// reported). A CPUID dump, cpuinfo or MSR listing there was already refused; now lscpu
    /// output and IOMMU listings are too.
    @Test func iommuListingBesideASnapshotWithIOMMUEvidenceIsRefused() throws {
        let snapshot = VirtCheckBinary.repoPath("Data/hosts/lab-q35-intel-iommu-sriov.json")
        let listing = VirtCheckBinary.repoPath("Tests/HostProbeTests/Fixtures/iommu-listings/asokolsky_duo__iommu.txt")
        let r = try VirtCheckBinary.run(["check", "--from", snapshot, "--from", listing])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == "virtcheck: error: \(listing): the snapshot already holds IOMMU evidence for this host\n")
    }

    @Test func amdDumpWithIntelCpuinfoIsTwoHosts() throws {
        let r = try VirtCheckBinary.run(["check", "--from", Self.amdDump, "--from", Self.intelCpuinfo])
        Self.expectConflict(r, naming: Self.amdDump, Self.intelCpuinfo)
        #expect(r.stderr.contains("AuthenticAMD") && r.stderr.contains("GenuineIntel"))
    }

    /// Same vendor, different CPU: Sapphire Rapids (family 6 model 143) beside an Ice Lake cpuinfo (model 106).
    @Test func differentModelsOfOneVendorAreTwoHosts() throws {
        let r = try VirtCheckBinary.run(["check", "--from", Self.intelDump, "--from", Self.intelCpuinfo])
        Self.expectConflict(r, naming: Self.intelDump, Self.intelCpuinfo)
    }

    /// The same pair in one directory.
    @Test func conflictInOneDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-conflict-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.amdDump, toPath: dir + "/cpuid-r.txt")
        try FileManager.default.copyItem(atPath: Self.intelCpuinfo, toPath: dir + "/cpuinfo")
        let r = try VirtCheckBinary.run(["check", "--from", dir])
        Self.expectConflict(r, naming: dir + "/cpuid-r.txt", dir + "/cpuinfo")
    }

    /// A dump of every CPU (two) beside a cpuinfo of one: counts that should agree do not.
    @Test func differentCPUCountsAreTwoHosts() throws {
        let text = try String(contentsOfFile: Self.genoa + "/proc/cpuinfo", encoding: .utf8)
        let first = text.components(separatedBy: "\n\n").first ?? text
        let path = try BadInputTests.temp("one-cpu.cpuinfo", Array((first + "\n").utf8))
        let r = try VirtCheckBinary.run(["check", "--from", Self.genoa + "/cpuid-r.txt", "--from", path])
        Self.expectConflict(r, naming: Self.genoa + "/cpuid-r.txt", path)
    }

    /// A snapshot of one host and a cpuinfo of another.
    @Test func snapshotWithAnotherHostsCpuinfo() throws {
        let snapshot = VirtCheckBinary.repoPath("Data/hosts/workplace-amd-epyc-kvm-pvm.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snapshot))) as? [String: Any])
        json["cpuinfo"] = nil
        let path = try BadInputTests.temp("no-cpuinfo.json", Array(try JSONSerialization.data(withJSONObject: json)))
        let r = try VirtCheckBinary.run(["check", "--from", path, "--from", Self.intelCpuinfo])
        Self.expectConflict(r, naming: path, Self.intelCpuinfo)
    }

    /// One host's files still go together.
    @Test func oneHostsFilesAreAccepted() throws {
        let r = try VirtCheckBinary.run(["check", "--from", Self.genoa + "/cpuid-r.txt", "--from", Self.genoa + "/proc/cpuinfo", "--format", "json"])
        #expect([0, 1, 3].contains(r.status), "\(r.stderr)")
        #expect(r.json != nil)
    }
}
