import HostModel
import Testing
@testable import Analysis

/// Each profile requirement against a real CPU from the corpus that lacks it (docs/rules.md keeps
/// the same table): the profile must fail, and on the rule the hypervisor's own source names.
/// Each test but the VMX INS/OUTS one gave a wrong verdict before these requirements existed.
struct ProfileRequirementTests {
    static func profile(_ id: String, _ a: Assessment) throws -> ProfileResult {
        try #require(a.profiles.first { $0.id == id })
    }

    /// FreeBSD svm.c check_svm_features(): "NRIP Save feature not available". K10 has NPT but no NRIPS.
    @Test func bhyveRefusesK10WithoutNRIPSave() throws {
        let a = try Fixtures.assess(cpuid: "k10-phenom-9500")
        #expect(a.finding("cpu.npt")?.status == .pass)
        #expect(a.finding("cpu.nrip-save")?.status == .fail)
        let bhyve = try Self.profile("bhyve", a)
        #expect(bhyve.cpu == .fail)
        #expect(bhyve.failed.contains("cpu.nrip-save"))
        // KVM does not need it.
        #expect(try Self.profile("kvm", a).cpu == .pass)
    }

    /// FreeBSD vmx.c vmx_modinit(): IA32_VMX_BASIC[54] is required. Conroe's VMX MSRs lack it.
    /// (Conroe fails bhyve on EPT already; this pins the second reason, read from its real MSRs.)
    @Test func bhyveNamesMissingInsOutsInformationOnConroe() throws {
        let a = try Fixtures.assess(cpuid: "conroe-core2-x6800", msr: "conroe-core2-x6800")
        #expect(a.finding("cpu.vmx-ins-outs")?.status == .fail)
        #expect(try Self.profile("bhyve", a).failed.contains("cpu.vmx-ins-outs"))
        // Yorkfield reports bit 54 (its EPT is what bhyve misses).
        let yorkfield = try Fixtures.assess(cpuid: "yorkfield-core2-extreme-x9650", msr: "yorkfield-core2-extreme-x9650")
        #expect(yorkfield.finding("cpu.vmx-ins-outs")?.status == .pass)
    }

    /// Hyper-V requires hardware-enforced DEP: a Sandy Bridge Pentium G840 whose firmware cleared XD.
    @Test func hyperVRefusesSandyBridgeWithXDDisabled() throws {
        let a = try Fixtures.assess(cpuid: "sandybridge-pentium-g840-xd-off")
        #expect(a.finding("cpu.vmx")?.status == .pass)
        #expect(a.finding("cpu.nx")?.status == .fail)
        let hyperV = try Self.profile("hyper-v", a)
        #expect(hyperV.cpu == .fail)
        #expect(hyperV.failed.contains("cpu.nx"))
        #expect(try Self.profile("vmware-esxi", a).failed.contains("cpu.nx"))
        // Workstation documents no NX requirement.
        #expect(try Self.profile("vmware", a).cpu == .pass)
    }

    /// kvm_intel vmx_hardware_setup(): without EPT, NX is required. Core 2 Quad Q6600 with XD off has neither.
    @Test func kvmIntelRefusesACPUWithNeitherEPTNorNX() throws {
        let a = try Fixtures.assess(cpuid: "kentsfield-core2-quad-q6600-xd-off")
        #expect(a.finding("cpu.vmx")?.status == .pass)
        #expect(a.finding("cpu.ept")?.status == .fail)
        #expect(a.finding("cpu.nx")?.status == .fail)
        #expect(try Self.profile("kvm", a).cpu == .fail)
        // The same generation with XD on passes the CPU side (Conroe X6800: NX set, no EPT).
        #expect(try Self.profile("kvm", Fixtures.assess(cpuid: "conroe-core2-x6800")).cpu == .pass)
    }

    /// kvm_amd svm_hardware_setup(): "NX (Execute Disable) not supported". Istanbul with NX cleared.
    @Test func kvmAMDRefusesACPUWithoutNX() throws {
        let a = try Fixtures.assess(cpuid: "k10-istanbul-opteron-8439se-nx-off")
        #expect(a.finding("cpu.svm")?.status == .pass)
        #expect(a.finding("cpu.nx")?.status == .fail)
        #expect(try Self.profile("kvm", a).cpu == .fail)
    }

    /// Hyper-V, VMware, VirtualBox, Xen, bhyve and Parallels need x86-64; Core Duo T2600 has VT-x without it.
    @Test func thirtyTwoBitVTxCPUFailsEveryHypervisorThatNeedsX86_64() throws {
        let a = try Fixtures.assess(cpuid: "yonah-core-duo-t2600")
        #expect(a.finding("cpu.vmx")?.status == .pass)
        #expect(a.finding("cpu.long-mode")?.status == .fail)
        for id in ["hyper-v", "vmware", "vmware-esxi", "virtualbox", "xen-hvm", "xen-pv", "bhyve", "parallels"] {
            let p = try Self.profile(id, a)
            #expect(p.cpu == .fail, "\(id)")
            #expect(p.failed.contains("cpu.long-mode"), "\(id)")
        }
        for id in ["qemu-tcg", "bochs", "virtual-pc", "paravirt"] { #expect(try Self.profile(id, a).status == .pass, "\(id)") }
    }

    /// Emulators and paravirtualizing VMMs need no VT: they pass on a CPU without it (Allendale E4500).
    @Test func emulationAndParavirtualizationNeedNoVT() throws {
        let a = try Fixtures.assess(cpuid: "allendale-core2-duo-e4500")
        #expect(a.finding("cpu.vmx")?.status == .fail)
        for id in ["qemu-tcg", "bochs", "virtual-pc", "paravirt", "xen-pv"] {
            #expect(try Self.profile(id, a).status == .pass, "\(id)")
        }
        #expect(try Self.profile("xen-hvm", a).cpu == .fail)
    }

    /// Containers need namespaces and cgroups, which a CPUID dump cannot show: unknown, never pass or fail.
    @Test func containersWaitForHostEvidence() throws {
        let containers = try Self.profile("containers", Fixtures.assess(cpuid: "coffeelake-i7-9700"))
        #expect(containers.status == .unknown)
        #expect(Set(containers.unknown) == ["host.namespaces", "host.cgroups"])
    }

    /// The rows of docs/rules.md that older rules already decided, held to the same named CPUs.
    @Test func theOlderRequirementsFailOnTheirNamedCPUs() throws {
        let e4500 = try Fixtures.assess(cpuid: "allendale-core2-duo-e4500")
        for id in ["kvm", "bhyve", "hyper-v", "vmware", "vmware-esxi", "virtualbox", "xen-hvm", "parallels"] {
            #expect(try Self.profile(id, e4500).cpu == .fail, "\(id)")
        }
        let yorkfield = try Fixtures.assess(cpuid: "yorkfield-core2-extreme-x9650", msr: "yorkfield-core2-extreme-x9650")
        let bhyve = try Self.profile("bhyve", yorkfield)
        #expect(bhyve.failed.contains("cpu.ept"))
        #expect(bhyve.failed.contains("cpu.unrestricted-guest"))
        #expect(try Self.profile("hyper-v", yorkfield).failed.contains("cpu.ept"))
        let k8 = try Fixtures.assess(cpuid: "k8-athlon64-x2-4000")
        #expect(try Self.profile("bhyve", k8).failed.contains("cpu.npt"))
        #expect(try Self.profile("hyper-v", k8).failed.contains("cpu.npt"))
    }

    /// The founders' rule for virtcheck's own profiles (vm-host, nested, vfio, sev-snp, tdx): each
    /// CPU-side requirement fails on a real CPU that lacks it (docs/rules.md, "virtcheck's own
    /// profiles"). Their host-side requirements are held to the lab machines (docs/lab.md).
    @Test func theFeatureProfilesFailOnTheirNamedCPUs() throws {
        let e4500 = try Fixtures.assess(cpuid: "allendale-core2-duo-e4500")
        for id in ["vm-host", "nested", "vfio", "tdx"] { #expect(try Self.profile(id, e4500).cpu == .fail, "\(id)") }
        #expect(try Self.profile("tdx", e4500).failed.contains("cpu.vmx"))
        #expect(try Self.profile("tdx", Fixtures.assess(cpuid: "yorkfield-core2-extreme-x9650")).failed.contains("cpu.ept"))
        #expect(try Self.profile("tdx", Fixtures.assess(cpuid: "coffeelake-i7-9700")).failed == ["cc.tdx"])
        let genoa = try Fixtures.assess(cpuid: "genoa-01-no-snp")
        #expect(try Self.profile("sev-snp", genoa).failed == ["cc.sev-snp"])
        #expect(try Self.profile("sev-snp", Fixtures.assess(cpuid: "k8-athlon64-x2-4000")).failed.contains("cpu.npt"))
        // On Intel cpu.svm does not apply (cc.sev-snp fails instead); an AMD CPU without AMD-V fails it.
        #expect(try Self.profile("sev-snp", Fixtures.assess(cpuid: "coffeelake-i7-9700")).failed == ["cc.sev-snp"])
        #expect(try Self.profile("sev-snp", Fixtures.assess(cpuid: "k8-opteron-250")).failed.contains("cpu.svm"))
    }

    /// VMware's "ESXi Hardware Requirements" (6.5, 7.0, 8.0) name AMD's hardware virtualization
    /// as RVI (nested paging): the K8 Athlon 64 X2 4000+ has AMD-V, NX and long mode but no NPT,
    /// and passed vmware-esxi before. Intel is held to VT-x only (cpu.npt does not apply there):
    /// the Coffee Lake i7-9700 still passes.
    @Test func esxiNeedsRVIOnAMD() throws {
        let k8 = try Fixtures.assess(cpuid: "k8-athlon64-x2-4000")
        #expect(k8.finding("cpu.svm")?.status == .pass)
        let esxi = try Self.profile("vmware-esxi", k8)
        #expect(esxi.cpu == .fail)
        #expect(esxi.failed == ["cpu.npt"])
        let intel = try Fixtures.assess(cpuid: "coffeelake-i7-9700")
        #expect(try Self.profile("vmware-esxi", intel).cpu == .pass)
    }

    /// "ESXi requires a host with at least two CPU cores": the AMD C-30's lscpu (AMD-V with NPT, NX,
    /// long mode; one core, one socket) passed vmware-esxi before. A CPUID dump of the one-core
    /// Sempron 140 cannot count sockets: unknown, never fail; the eight-thread i7-9700 passes.
    @Test func esxiNeedsTwoCores() throws {
        let text = try Fixtures.text("lscpu/amd-c30-one-core.txt")
        let c30 = Assessor.assess(Snapshot(source: SourceInfo(kind: .files, paths: ["amd-c30-one-core.txt"]),
                                           lscpu: TextEvidence(source: "lscpu", status: .ok, text: text)))
        #expect(c30.finding("cpu.cores")?.status == .fail)
        #expect(c30.finding("cpu.cores")?.evidence.first?.detail == "Core(s) per socket 1, Socket(s) 1")
        let esxi = try Self.profile("vmware-esxi", c30)
        #expect(esxi.cpu == .fail)
        #expect(esxi.failed == ["cpu.cores"])
        let sempron = try Fixtures.assess(cpuid: "k10-sempron-140")
        #expect(sempron.finding("cpu.cores")?.status == .unknown)
        #expect(sempron.finding("cpu.cores")?.evidence.first?.detail == "CPUID 80000008H:ECX[7:0] NC+1 = 1")
        let i7 = try Fixtures.assess(cpuid: "coffeelake-i7-9700")
        #expect(i7.finding("cpu.cores")?.status == .pass)
        #expect(i7.finding("cpu.cores")?.summary == "8 processor cores per package.")
    }
}
