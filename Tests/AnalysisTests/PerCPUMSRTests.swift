import Foundation
import HostModel
import Testing
@testable import Analysis

/// The MSRs the rules declare, compared across every CPU of an MSR listing with `cpu N` sections
/// (the same evidence the live probe now reads from /dev/cpu/N/msr on every online CPU). Real
/// values from the corpus (Fixtures/msr-per-cpu, PROVENANCE.md), repeated per CPU, with one CPU
/// edited where a test needs a CPU that differs; each test of a wrong verdict fails on the code
/// before this change, which read CPU 0's MSRs only.
struct PerCPUMSRTests {
    static func assess(cpuid: String, msr: String) throws -> Assessment {
        func path(_ name: String) -> String { "msr-per-cpu/\(name)" }
        let dump = try CPUIDDumpParser.parse(try Fixtures.text(path(cpuid)), source: path(cpuid))
        let msrs = try MSRListingParser.parse(try Fixtures.text(path(msr)), source: path(msr))
        return Assessor.assess(Snapshot(source: SourceInfo(kind: .files, paths: [path(cpuid), path(msr)]), cpuid: dump, msrs: msrs))
    }

    static func finding(_ a: Assessment, _ id: String) throws -> Finding {
        try #require(a.findings.first { $0.id == id && $0.subject == nil })
    }

    /// The ZHAOXIN KX-6000G/4's real MSRs on all four CPUs: nothing differs, nothing is named, and
    /// the verdicts are those of CPU 0 alone.
    @Test func fourCPUsThatAgreeNameNothing() throws {
        let a = try Self.assess(cpuid: "kx6000-cpuid.txt", msr: "kx6000-4cpus.txt")
        #expect(a.facts.holdouts.msr.isEmpty)
        #expect(try Self.finding(a, "cpu.vmx").status == .pass)
        #expect(try Self.finding(a, "cpu.vmx.enabled-by-firmware").status == .pass)
    }

    /// CPU 3's IA32_FEATURE_CONTROL locked with VMX outside SMX clear (edited): kvm_intel would
    /// find VMX disabled there and refuse to load. Before: passed from CPU 0's 0x5.
    @Test func oneCPUWithVTxOffFailsTheFirmwareRuleAndIsNamed() throws {
        let a = try Self.assess(cpuid: "kx6000-cpuid.txt", msr: "kx6000-cpu3-vmx-off.txt")
        let f = try Self.finding(a, "cpu.vmx.enabled-by-firmware")
        #expect(f.status == .fail)
        #expect(f.summary.contains("disabled on CPU 3 ") && f.summary.contains("enabled on CPUs 0-2"))
        #expect(f.evidence.first?.source == "MSR 0x0000003a (IA32_FEATURE_CONTROL) on each CPU")
        #expect(f.evidence.first?.detail == "0x0000000000000005 on CPUs 0-2; 0x0000000000000001 on CPU 3")
        #expect(f.remediation?.contains("take the odd CPUs offline") == true)
    }

    /// CPU 2's secondary controls do not allow EPT (edited 0x48B): kvm_intel's VMCS configuration
    /// differs there ("Inconsistent VMCS config on CPU 2"). Before: cpu.vmx passed.
    @Test func oneCPUWithOtherVMXCapabilitiesFailsVMXAndIsNamed() throws {
        let a = try Self.assess(cpuid: "kx6000-cpuid.txt", msr: "kx6000-cpu2-no-ept-allowed.txt")
        let f = try Self.finding(a, "cpu.vmx")
        #expect(f.status == .fail)
        #expect(f.summary.hasPrefix("CPU 2 reports VMX capabilities (MSR 0x0000048b) other than CPU 0's"))
        #expect(f.evidence.first?.detail == "0x00003cee00000000 on CPUs 0-1,3; 0x00003cec00000000 on CPU 2")
        #expect(try Self.finding(a, "cpu.vmx.enabled-by-firmware").status == .pass)
    }

    /// CPU 3's IA32_FEATURE_CONTROL could not be read (listed as denied): every CPU read has VT-x
    /// on, but whether CPU 3 has is unknown — never pass, never fail.
    @Test func aCPUNotReadMakesTheFirmwareRuleUnknown() throws {
        let a = try Self.assess(cpuid: "kx6000-cpuid.txt", msr: "kx6000-cpu3-denied.txt")
        let f = try Self.finding(a, "cpu.vmx.enabled-by-firmware")
        #expect(f.status == .unknown)
        #expect(f.summary.contains("CPU 3 could not be read (listed as denied)"))
        #expect(try Self.finding(a, "cpu.vmx").status == .pass)
    }

    /// AMD: the lab EPYC's real VM_CR (0) on CPU 0, CPU 1 edited to SVMDIS=1 LOCK=1: kvm_amd
    /// refuses to load. Before: passed from CPU 0.
    @Test func oneAMDCPUWithSVMDisabledFailsAndIsNamed() throws {
        let a = try Self.assess(cpuid: "lab-epyc-cpuid.txt", msr: "lab-epyc-cpu1-svm-disabled.txt")
        let f = try Self.finding(a, "cpu.svm.enabled-by-firmware")
        #expect(f.status == .fail)
        #expect(f.summary.contains("AMD-V disabled on CPU 1 (VM_CR.SVMDIS=1) but enabled on CPU 0: kvm_amd"))
        #expect(f.evidence.first?.detail == "0x0000000000000000 on CPU 0; 0x0000000000000018 on CPU 1")
    }

    /// Bits no rule reads do not count: VM_CR differing only in a reserved bit names nothing.
    @Test func onlyTheComparedBitsCount() {
        let cpus = [MSREvidence.CPU(cpu: 0, reads: [MSRRead(index: 0xC001_0114, status: .ok, value: 0)]),
                    MSREvidence.CPU(cpu: 1, reads: [MSRRead(index: 0xC001_0114, status: .ok, value: 0x1)])]
        #expect(MSRComparison.differences(MSREvidence(source: "test", cpus: cpus)).isEmpty)
    }
}
