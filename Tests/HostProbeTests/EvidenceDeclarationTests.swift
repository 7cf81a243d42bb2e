import Foundation
import HostModel
import Testing
@testable import Analysis
@testable import HostProbe

/// Rules declare the evidence they read (`evidence:` in the catalogue), and the live probe reads
/// what they declare: nothing a rule needs goes uncollected, and no rule reads an MSR it does not
/// declare. Before this, cc.tdx read MSR 0x1401 and pg.cpuid-faulting MSR 0xCE, which the probe
/// never read, so TDX could never be proven on a host.
struct EvidenceDeclarationTests {
    static let catalogue = RuleCatalogue.builtIn
    static let plan = catalogue.evidencePlan

    @Test func everyRuleDeclaresWhatItReads() {
        for rule in Self.catalogue.rules {
            #expect(!rule.evidence.isEmpty, "\(rule.id) declares no evidence")
        }
    }

    /// Every declared need is of a kind something collects: CPUID leaves within the ranges
    /// CPUIDReader walks, MSRs and files in the plan the probe reads, the rest by their readers.
    @Test(arguments: RuleCatalogue.builtIn.rules)
    func everyNeedIsCollected(rule: RuleDefinition) throws {
        for need in rule.evidence {
            switch need {
            case .cpuid(let leaf):
                let base = leaf & 0xFFFF_0000
                #expect([0, 0x4000_0000, 0x8000_0000].contains(base) && leaf - base <= 0xFF, "\(rule.id): \(need)")
            case .msr(let index):
                #expect(Self.plan.msrs.contains(index), "\(rule.id): \(need)")
            case .path(let path):
                #expect(Self.plan.paths.contains(path))
            case .device(let node):
                #expect(Self.plan.devices.contains(node))
            case .cpuinfoFlag, .lscpuField, .ioctl, .probe, .kernelLog:
                break
            }
        }
    }

    /// A pasted kernel log alone decides only rules that declare the log lines they read: every
    /// finding it leaves pass, warn or fail (nothing else was given) belongs to a rule with a
    /// `kernel-log` need, so `explain` names the log wherever it can decide. The lab machines'
    /// real logs (Data/hosts/lab-*/dmesg.txt).
    @Test(arguments: ["lab-amd-epyc-npt", "lab-q35-intel-iommu-sriov", "lab-q35-intel-iommu-no-ir", "lab-q35-amd-iommu",
                      "lab-q35-virtio-iommu", "lab-q35-no-iommu"])
    func aKernelLogDecidesOnlyRulesThatDeclareIt(host: String) throws {
        let declaring = Set(RuleCatalogue.builtIn.rules.filter { $0.evidence.contains { $0.kind == .kernelLog } }.map(\.id))
        let decided = try LabPastedTextTests.assess(host, ["dmesg.txt"]).findings
            .filter { [.pass, .warn, .fail].contains($0.status) && $0.subject == nil }.map(\.id)
        #expect(!decided.isEmpty || host == "lab-q35-no-iommu")
        #expect(Set(decided).subtracting(declaring).isEmpty, "\(host): decided by the log without declaring it: \(Set(decided).subtracting(declaring).sorted())")
    }

    /// A `--root` tree with a sparse dev/cpu/0/msr: the probe reads exactly the declared MSRs,
    /// 0x1401 (cc.tdx) and 0xCE (pg.cpuid-faulting) among them, and records every declared file
    /// no other reader collects.
    @Test func theProbeReadsWhatTheRulesDeclare() throws {
        let dir = try Self.tdxTree()
        let snapshot = LiveProbe.snapshot(root: HostRoot(path: dir, isLive: false), options: .init(runGuest: false, plan: Self.plan))
        let read = try #require(snapshot.msrs?.cpus.first).reads.map(\.index)
        #expect(read == Self.plan.msrs)
        #expect(read.contains(0x1401) && read.contains(0xCE))
        let files = Set((snapshot.files ?? []).map(\.path))
        for path in Self.plan.paths + Self.plan.devices where !HostFilesReader.readsElsewhere(path) {
            #expect(files.contains(path), "\(path) is declared but not collected")
        }
    }

    /// TDX proven through the live code path: the SEAMRR MSR is read because cc.tdx declares it.
    @Test func tdxIsProvenFromTheHostsOwnMSR() throws {
        let dir = try Self.tdxTree()
        let snapshot = LiveProbe.snapshot(root: HostRoot(path: dir, isLive: false), options: .init(runGuest: false, plan: Self.plan))
        let tdx = try #require(Assessor.assess(snapshot).findings.first { $0.id == "cc.tdx" })
        #expect(tdx.status == .pass, "\(tdx.summary)")
        #expect(tdx.evidence.first?.source.contains("0x00001401") == true)
    }

    /// The converse: give every MSR the rules do not declare (in the architectural, VMX and AMD
    /// ranges) an all-ones value; no finding may change. A rule reading an undeclared MSR would.
    @Test(arguments: ["conroe-core2-x6800", "yorkfield-core2-extreme-x9650"])
    func noRuleReadsAnUndeclaredMSR(fixture: String) throws {
        let base = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../AnalysisTests/Fixtures")
        let dumpText = try String(contentsOf: base.appendingPathComponent("cpuid/\(fixture).txt"), encoding: .utf8)
        let msrText = try String(contentsOf: base.appendingPathComponent("msr/\(fixture).txt"), encoding: .utf8)
        let dump = try CPUIDDumpParser.parse(dumpText, source: fixture)
        let listing = try MSRListingParser.parse(msrText, source: fixture)
        var flooded = listing
        let declared = Set(Self.plan.msrs)
        let undeclared = (Array(0x0...0x1FFF) + Array(0xC000_0000...0xC000_0103) + Array(0xC001_0000...0xC001_0300))
            .map(UInt32.init).filter { !declared.contains($0) && listing.cpus[0].value($0) == nil }
        flooded.cpus[0].reads += undeclared.map { MSRRead(index: $0, status: .ok, value: .max) }
        let plain = Assessor.assess(Snapshot(source: SourceInfo(kind: .files, paths: [fixture]), cpuid: dump, msrs: listing))
        let noisy = Assessor.assess(Snapshot(source: SourceInfo(kind: .files, paths: [fixture]), cpuid: dump, msrs: flooded))
        #expect(plain.findings.map(\.status) == noisy.findings.map(\.status))
        #expect(plain.findings.map(\.summary) == noisy.findings.map(\.summary))
    }

    /// A tree with a Xeon 8480+'s real cpuinfo and a made-up MSR file: IA32_SEAMRR_PHYS_MASK
    /// (0x1401) has bit 11 (enable) set, everything else reads as 0.
    static func tdxTree() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-tdx-\(UUID().uuidString)").path
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/proc", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/dev/cpu/0", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/sys/devices/system/cpu", withIntermediateDirectories: true)
        let cpuinfo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/evidence/cpuinfo-xeon-8480.txt")
        try fm.copyItem(atPath: cpuinfo.path, toPath: dir + "/proc/cpuinfo")
        try "0\n".write(toFile: dir + "/sys/devices/system/cpu/online", atomically: true, encoding: .utf8)
        var msr = [UInt8](repeating: 0, count: 0x1401 + 8)
        let seamrrMask: UInt64 = 0x0000_7FFF_F800_0800 // bit 11 enable; bits 25-45 the range mask
        for i in 0..<8 { msr[0x1401 + i] = UInt8((seamrrMask >> (8 * UInt64(i))) & 0xFF) }
        #expect(fm.createFile(atPath: dir + "/dev/cpu/0/msr", contents: Data(msr)))
        // The tree says it looked at all of /dev, /proc and /sys: what it lacks there is absent.
        try "/dev/\n/proc/\n/sys/\n".write(toFile: dir + CollectedPaths.fileName, atomically: true, encoding: .utf8)
        return dir
    }
}
