import Foundation
import HostModel
import Testing
@testable import Analysis

/// Every evidence line a user pastes from a machine they cannot run virtcheck on is read: the
/// capability flags of cpuinfo/lscpu (`npt`, `ept`, `vpid`), lscpu's `Virtualization:` line, and
/// every CPU of a dump or cpuinfo. Real captures from the corpus (Fixtures/evidence-lines,
/// PROVENANCE.md); the two "one CPU lacks VMX" inputs are hand-edited copies of real ones.
/// Each test of a wrong verdict fails on the code before this change (said per test).
struct EvidenceLinesTests {
    static func assess(cpuinfo: String? = nil, lscpu: String? = nil, cpuid: String? = nil) throws -> Assessment {
        func text(_ name: String) throws -> String { try Fixtures.text("evidence-lines/\(name)") }
        let dump = try cpuid.map { try CPUIDDumpParser.parse(try text($0), source: $0) }
        let snapshot = Snapshot(source: SourceInfo(kind: .files, paths: [cpuinfo, lscpu, cpuid].compactMap { $0 }),
                                cpuid: dump,
                                cpuinfo: try cpuinfo.map { TextEvidence(source: $0, status: .ok, text: try text($0)) },
                                lscpu: try lscpu.map { TextEvidence(source: $0, status: .ok, text: try text($0)) })
        return Assessor.assess(snapshot)
    }

    static func finding(_ a: Assessment, _ id: String) throws -> Finding {
        try #require(a.findings.first { $0.id == id && $0.subject == nil })
    }

    /// Dual-Core AMD Opteron 2220 (K8 rev F, family 0Fh): AMD-V without nested paging. Its lscpu
    /// flags carry `svm` and the synthetic `cpuid` (a kernel that prints `npt`), no `npt`. Before:
    /// cpu.npt was not-applicable, so Hyper-V and bhyve passed on the CPU side.
    @Test func amdFlagsWithoutNPTFailNestedPaging() throws {
        let a = try Self.assess(lscpu: "lscpu-opteron-2220.txt")
        let npt = try Self.finding(a, "cpu.npt")
        #expect(npt.status == .fail)
        #expect(npt.evidence.contains { $0.source == "cpuinfo flags: npt" && $0.detail.hasPrefix("absent") })
        for id in ["hyper-v", "bhyve"] {
            #expect(a.profiles.first { $0.id == id }?.cpu == .fail, "\(id) needs nested paging")
        }
    }

    /// hwloc's Opteron 6134 (K10, which has nested paging) captured under a kernel that printed no
    /// SVM feature flags at all: the absence of `npt` proves nothing, so unknown, never fail.
    @Test func oldKernelWithoutSVMFlagsLeavesNPTUnknown() throws {
        let npt = try Self.finding(try Self.assess(cpuinfo: "cpuinfo-opteron-6134-old-kernel.txt"), "cpu.npt")
        #expect(npt.status == .unknown)
        #expect(npt.summary.contains("npt"))
    }

    /// Atom N570 (Pineview): VT-x without EPT or VPID; its flags carry `tpr_shadow` and `vnmi`
    /// of the same kernel word. Before: cpu.ept was unknown (no MSRs, no `vmx flags` line).
    @Test func intelFlagsWithoutEPTFailEPT() throws {
        let a = try Self.assess(lscpu: "lscpu-atom-n570.txt")
        let ept = try Self.finding(a, "cpu.ept")
        #expect(ept.status == .fail)
        #expect(ept.evidence.first?.source == "cpuinfo flags: ept")
        #expect(try Self.finding(a, "cpu.vpid").status == .warn)
    }

    /// Xeon E5-2680 v3 cpuinfo from a RHEL 7 kernel (no `vmx flags` line): `ept` and `vpid` in
    /// `flags` prove both. Before: unknown.
    @Test func intelFlagsWithEPTPass() throws {
        let a = try Self.assess(cpuinfo: "cpuinfo-xeon-e5-2680v3.txt")
        let ept = try Self.finding(a, "cpu.ept")
        #expect(ept.status == .pass)
        #expect(ept.evidence.first?.source == "cpuinfo flags: ept")
        #expect(try Self.finding(a, "cpu.vpid").status == .pass)
    }

    /// lscpu without a Flags line (Atom Z3735D, i686 util-linux) still says `Virtualization: VT-x`.
    /// Before: cpu.vmx was unknown ("no CPUID or cpuinfo evidence").
    @Test func lscpuVirtualizationLineIsRead() throws {
        let vmx = try Self.finding(try Self.assess(lscpu: "lscpu-atom-z3735d-no-flags.txt"), "cpu.vmx")
        #expect(vmx.status == .pass)
        #expect(vmx.evidence.contains { $0.source == "lscpu Virtualization" && $0.detail == "VT-x" })
    }

    /// A cpuinfo whose processor 2 lacks `vmx` (hand-edited copy of the Dell E4310's real one).
    /// kvm_intel refuses to load; CPU 0 alone said pass before.
    @Test func oneProcessorWithoutVMXFailsAndIsNamed() throws {
        let a = try Self.assess(cpuinfo: "cpuinfo-dell-e4310-cpu2-no-vmx.txt")
        let vmx = try Self.finding(a, "cpu.vmx")
        #expect(vmx.status == .fail)
        #expect(vmx.summary.contains("CPUs 2 "))
        #expect(vmx.evidence.first?.detail.contains("CPUs 2") == true)
        #expect(try Self.finding(a, "cpu.ept").status == .fail, "processor 2 also lost `ept`")
        #expect(a.profiles.first { $0.id == "kvm" }?.cpu == .fail)
    }

    /// The unedited capture: all four processors agree, so nothing is named.
    @Test func processorsThatAgreePass() throws {
        let a = try Self.assess(cpuinfo: "cpuinfo-dell-e4310.txt")
        #expect(try Self.finding(a, "cpu.vmx").status == .pass)
        #expect(a.facts.holdouts.cpuinfo["vmx"] == nil)
    }

    /// A two-CPU `cpuid -r` dump whose CPU 1 has CPUID.01H:ECX[5] clear (hand-edited copy of the
    /// i7-9700 dump). Before: cpu.vmx passed from CPU 0.
    @Test func oneCPUIDWithoutVMXFailsAndIsNamed() throws {
        let vmx = try Self.finding(try Self.assess(cpuid: "cpuid-i7-9700-cpu1-no-vmx.txt"), "cpu.vmx")
        #expect(vmx.status == .fail)
        #expect(vmx.summary.contains("CPUs 1 "))
        #expect(vmx.evidence.first?.source == "CPUID.01H:ECX[5] on each CPU")
    }

    @Test func cpuListsAreWrittenAsLinuxDoes() {
        #expect(CPUHoldouts.list([3, 0, 1, 2, 8, 10, 11]) == "0-3,8,10-11")
        #expect(CPUHoldouts.list([5]) == "5")
    }
}
