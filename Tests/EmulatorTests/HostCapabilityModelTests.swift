import Emulator
import Foundation
import HostModel
import Testing

/// The report's `emulator` section is the model configured from the checked CPU: two real CPUs
/// of Data/corpus/vmx-msrs give two different answers, each where their MSRs differ.
@Suite struct HostCapabilityModelTests {
    static func row(_ suffix: String) throws -> CorpusConfigurationTests.Row {
        try #require(CorpusConfigurationTests.rows.first { $0.file.hasSuffix(suffix) })
    }

    /// A snapshot holding one CPU's MSR reads and the CPUID leaf giving MAXPHYADDR, as a capture would.
    static func snapshot(_ row: CorpusConfigurationTests.Row, maxPhysical: UInt32) -> Snapshot {
        let reads = row.msrs.sorted { $0.key < $1.key }.map { MSRRead(index: $0.key, status: .ok, value: $0.value) }
        let leaves = [CPUIDLeaf(leaf: 0x8000_0000, eax: 0x8000_0008, ebx: 0, ecx: 0, edx: 0),
                      CPUIDLeaf(leaf: 0x8000_0008, eax: 0x3000 | maxPhysical, ebx: 0, ecx: 0, edx: 0)]
        return Snapshot(source: SourceInfo(kind: .snapshot),
                        cpuid: CPUIDEvidence(source: "test", status: .ok, cpus: [CPUIDTable(cpu: 0, leaves: leaves)]),
                        msrs: MSREvidence(source: row.file, cpus: [MSREvidence.CPU(cpu: 0, reads: reads)]))
    }

    @Test func conroeAndSkylakeXeonDifferWhereTheirMSRsDo() throws {
        let conroe = HostCapabilityModel.of(Self.snapshot(try Self.row("GenuineIntel00006F6_Conroe_CPUID.txt"), maxPhysical: 36))
        let skylake = HostCapabilityModel.of(Self.snapshot(try Self.row("GenuineIntel0050654_SkylakeXeon_CPUID6.txt"), maxPhysical: 46))
        let old = try #require(conroe.vmx)
        let new = try #require(skylake.vmx)
        #expect(conroe.architecture == .vmx && skylake.architecture == .vmx)
        // What a hypervisor may use: Conroe has no secondary controls, so no EPT, VPID,
        // unrestricted guest or VMCS shadowing; Skylake-SP has them all, with 4-level EPT walks.
        #expect(old.secondary == nil && !old.ept && !old.vpid && !old.unrestrictedGuest && !old.vmcsShadowing)
        #expect(old.inveptTypes.isEmpty && old.invvpidTypes.isEmpty && old.eptPageWalks.isEmpty)
        #expect(new.secondary != nil && new.ept && new.vpid && new.unrestrictedGuest && new.vmcsShadowing)
        #expect(new.eptPageWalks == [4] && new.eptMemoryTypes == ["UC", "WB"] && new.eptAccessedDirty)
        #expect(new.inveptTypes == ["single-context", "all-context"])
        #expect(new.invvpidTypes == ["individual-address", "single-context", "all-context", "single-context-retaining-globals"])
        // What VMXON demands: the same CR0 bits (PE, NE, PG), but Skylake allows more CR4 bits to be 1.
        #expect(old.cr0MustBeOne == "0x80000021" && new.cr0MustBeOne == "0x80000021")
        #expect(old.cr4MustBeOne == "0x2000" && new.cr4MustBeOne == "0x2000")
        #expect(old.cr4MustBeZero != new.cr4MustBeZero)
        #expect(old.addressWidth == 36 && new.addressWidth == 46)
        #expect(new.trueControls && new.pinbased.msr == "IA32_VMX_TRUE_PINBASED_CTLS")
        // The model itself, configured from each CPU, accepts VMXON and enters the minimal guest.
        #expect(old.modelVMXON == "VMsucceed" && new.modelVMXON == "VMsucceed")
        #expect(old.modelVMEntry == "entered" && new.modelVMEntry == "entered")
        #expect(conroe != skylake)
    }

    @Test func svmHostIsDescribedFromItsCPUIDLeaf() {
        let leaves = [CPUIDLeaf(leaf: 0x8000_0000, eax: 0x8000_0020, ebx: 0, ecx: 0, edx: 0),
                      CPUIDLeaf(leaf: 0x8000_0001, eax: 0, ebx: 0, ecx: 1 << 2, edx: 1 << 20 | 1 << 29),
                      CPUIDLeaf(leaf: 0x8000_0008, eax: 0x3030, ebx: 0, ecx: 0, edx: 0),
                      CPUIDLeaf(leaf: 0x8000_000A, eax: 1, ebx: 0x8000, ecx: 0, edx: 0x9)]
        let model = HostCapabilityModel.of(Snapshot(source: SourceInfo(kind: .snapshot),
                                                    cpuid: CPUIDEvidence(source: "test", status: .ok, cpus: [CPUIDTable(cpu: 0, leaves: leaves)])))
        #expect(model.architecture == .svm)
        #expect(model.svm?.features == ["NP", "NRIPS"] && model.svm?.asids == 0x8000 && model.svm?.addressWidth == 48)
        #expect(model.svm?.modelVMRUN == "entered" && model.svm?.modelNRIPSaved == true)
        // NX offered, FFXSR not: EFER.FFXSR (bit 14) joins the MBZ bits 63:16 and 9.
        #expect(model.svm?.eferMustBeZero == "0xffffffffffff4200")
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Two real AMD-V CPUs: a bare-metal EPYC 7451 (Zen, Data/corpus/cpuid-r hwloc dump) offers
    /// FFXSR in CPUID 8000_0001 EDX[25]; the lab's L1 (QEMU's EPYC model with +svm, captured in
    /// Data/hosts/lab-amd-epyc-npt.json, EDX 2DD3FBFDh) does not, so VMRUN of a guest with
    /// EFER.FFXSR set is VMEXIT_INVALID there (APM 15.5.1; KVM's __kvm_valid_efer) and not on the EPYC.
    @Test func eferBitsVMRUNAcceptsFollowTheHostsExtendedFeatures() throws {
        let dump = try String(contentsOf: Self.repositoryRoot.appendingPathComponent(
            "Data/corpus/cpuid-r/hwloc/x86-cpuid-pu0/AMD-17h-Zen-2xEpyc-7451.pu0.txt.cpuid-r.txt"), encoding: .utf8)
        let epyc = HostCapabilityModel.of(Snapshot(source: SourceInfo(kind: .snapshot),
                                                   cpuid: try CPUIDDumpParser.parse(dump, source: "AMD-17h-Zen-2xEpyc-7451")))
        let capture = try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("Data/hosts/lab-amd-epyc-npt.json"))
        let lab = HostCapabilityModel.of(try SnapshotCoding.decode(Snapshot.self, from: capture))
        let bare = try #require(epyc.svm)
        let nested = try #require(lab.svm)
        #expect(bare.eferMustBeZero == "0xffffffffffff0200")
        #expect(nested.eferMustBeZero == "0xffffffffffff4200")
        #expect(bare.modelVMRUN == "entered" && nested.modelVMRUN == "entered")
    }

    @Test func hostWithNeitherSaysWhy() {
        let model = HostCapabilityModel.of(Snapshot(source: SourceInfo(kind: .snapshot)))
        #expect(model.architecture == .none && model.detail?.contains("no VMX capability MSRs") == true)
    }
}
