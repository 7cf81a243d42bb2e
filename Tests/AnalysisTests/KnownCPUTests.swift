import HostModel
import Testing
@testable import Analysis

/// Named CPU generations, from real dumps (Fixtures/PROVENANCE.md), held to what their
/// documentation says - not to this code's earlier output.
struct KnownCPUTests {
    /// K8 revision F: AMD-V without nested paging (APM: NP arrived with family 10h).
    @Test func k8AthlonPassesKVMButNotHyperV() throws {
        let a = try Fixtures.assess(cpuid: "k8-athlon64-x2-4000")
        #expect(a.facts.identity.family == 15)
        #expect(a.finding("cpu.svm")?.status == .pass)
        #expect(a.finding("cpu.npt")?.status == .fail)
        #expect(a.profile("kvm")?.cpu == .pass)
        #expect(a.profile("vm-host")?.cpu == .pass)
        let hyperV = try #require(a.profile("hyper-v"))
        #expect(hyperV.cpu == .fail)
        #expect(hyperV.status == .fail)
        #expect(hyperV.failed == ["cpu.npt"])
        // K8 has no NRIP save either (Fn8000_000A_EDX[3]), which bhyve's check_svm_features() also refuses.
        #expect(a.profile("bhyve")?.failed == ["cpu.npt", "cpu.nrip-save"])
    }

    /// Conroe/Yorkfield: VT-x without EPT (Intel ARK; EPT arrived with Nehalem), from the CPUID dump
    /// alone (documented model facts) and from the CPU's own VMX MSRs.
    @Test(arguments: [("conroe-core2-duo-e6750", nil), ("yorkfield-core2-quad-q9450", nil),
                      ("conroe-core2-x6800", "conroe-core2-x6800"), ("yorkfield-core2-extreme-x9650", "yorkfield-core2-extreme-x9650")] as [(String, String?)])
    func core2FailsBhyveAndHyperV(cpuid: String, msr: String?) throws {
        let a = try Fixtures.assess(cpuid: cpuid, msr: msr)
        #expect(a.finding("cpu.vmx")?.status == .pass)
        #expect(a.finding("cpu.ept")?.status == .fail)
        #expect(a.finding("cpu.unrestricted-guest")?.status == .fail)
        for id in ["bhyve", "hyper-v"] {
            let p = try #require(a.profile(id))
            #expect(p.cpu == .fail, "\(id)")
            #expect(p.status == .fail, "\(id)")
            #expect(p.failed.contains("cpu.ept"), "\(id)")
        }
        #expect(a.profile("bhyve")?.failed.contains("cpu.unrestricted-guest") == true)
        #expect(a.profile("vmware")?.cpu == .pass)
        #expect(a.profile("kvm")?.cpu == .pass)
    }

    @Test func genoaWithSNPPassesEveryCPUSideCheck() throws {
        let a = try Fixtures.assess(cpuid: "genoa-02-snp")
        for p in a.profiles where p.id != "tdx" {
            #expect(p.cpu == .pass, "\(p.id): \(p.failed) \(p.unknown)")
        }
        #expect(a.profile("sev-snp")?.cpu == .pass)
        #expect(a.profile("tdx")?.cpu == .fail)
    }

    @Test func genoaWithoutSNPFailsOnlyTheSNPProfile() throws {
        let a = try Fixtures.assess(cpuid: "genoa-01-no-snp")
        let snp = try #require(a.profile("sev-snp"))
        #expect(snp.cpu == .fail)
        #expect(snp.failed == ["cc.sev-snp"])
        #expect(a.profile("hyper-v")?.cpu == .pass)
        #expect(a.profile("bhyve")?.cpu == .pass)
    }

    /// KVM cannot run in the root partition (Hyper-V holds VT-x); VMware runs there through WHP
    /// (ControlDomainTests has the rest).
    @Test func hyperVRootFailsKVMForTheRightReason() throws {
        let a = try Fixtures.assess(cpuid: "hyperv-root-i7-2630qm")
        #expect(a.profile("kvm")?.cpu == .fail)
        #expect(a.profile("vmware")?.via == ["host.hyperv-root"])
        #expect(a.finding("cpu.ept")?.status == .notApplicable)
        #expect(a.finding("cpu.vmx")?.remediation?.contains("hypervisorlaunchtype off") == true)
    }

    @Test func aModernIntelPassesTheVTxProfilesOnTheCPUSide() throws {
        let a = try Fixtures.assess(cpuid: "coffeelake-i7-9700")
        for id in ["vm-host", "kvm", "xen-hvm", "vmware", "virtualbox", "parallels", "nested", "qemu-tcg"] {
            #expect(a.profile(id)?.cpu == .pass, "\(id)")
        }
        // EPT is in the VMX MSRs, which a CPUID dump does not carry: unknown, never a guess.
        #expect(a.finding("cpu.ept")?.status == .unknown)
        #expect(a.profile("hyper-v")?.cpu == .unknown)
        #expect(a.finding("cc.tdx")?.status == .fail)
    }
}
