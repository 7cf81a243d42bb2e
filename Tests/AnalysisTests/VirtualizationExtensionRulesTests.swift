import HostModel
import Testing
@testable import Analysis

/// cpu.vmx, cpu.svm and their firmware rules: pass, fail for each reason, unknown, n/a.
struct VirtualizationExtensionRulesTests {
    @Test func vmxPassesWhenCPUIDReportsIt() throws {
        #expect(try Fixtures.finding("cpu.vmx", Fixtures.facts()).status == .pass)
        #expect(try Fixtures.finding("cpu.vmx", Fixtures.amd()).status == .notApplicable)
    }

    @Test func vmxWithoutEvidenceIsUnknown() throws {
        let f = try Fixtures.finding("cpu.vmx", Fixtures.facts(features: [:]))
        #expect(f.status == .unknown)
        #expect(f.remediation != nil)
    }

    @Test func aKnownModelWithoutVTxSaysSo() throws {
        let a = try Fixtures.assess(cpuid: "allendale-core2-duo-e4500")
        let f = try #require(a.finding("cpu.vmx"))
        #expect(f.status == .fail)
        #expect(f.summary.contains("E4500"))
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("cpu.vmx", "model-without-vt"))
        #expect(f.evidence.contains { $0.source == "Data/rules/cpu_models.tsv" })
    }

    @Test func bareMetalWithoutTheBitIsACPUWithoutVTx() throws {
        let f = try Fixtures.finding("cpu.vmx", Fixtures.facts(brand: "Intel(R) Pentium(R) 4 CPU 2.80GHz", features: ["vmx": false, "hypervisor": false]))
        #expect(f.status == .fail)
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("cpu.vmx", "cpu-without-vt"))
    }

    @Test func flagsWithoutCPUIDCannotTellFirmwareFromSilicon() throws {
        var facts = Fixtures.facts(features: ["vmx": false], kernelFlags: ["fpu", "sse2"])
        facts.identity.signature = nil
        let f = try Fixtures.finding("cpu.vmx", facts)
        #expect(f.status == .fail)
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("cpu.vmx", "flags-only"))
    }

    @Test(arguments: [("hyperv-root-i7-2630qm", "i7-2630QM"), ("hyperv-root-i7-6600u", "i7-6600U")])
    func aHyperVRootHidesVMXRatherThanLacksIt(dump: String, brand: String) throws {
        let a = try Fixtures.assess(cpuid: dump)
        #expect(a.facts.identity.brand?.contains(brand) == true)
        #expect(a.facts.features["vmx"] == false)
        #expect(a.facts.hypervisor.signature == "Microsoft Hv")
        #expect(a.facts.hypervisor.hyperVRootPartition == true)
        let f = try #require(a.finding("cpu.vmx"))
        #expect(f.status == .fail)
        #expect(f.summary.contains("hidden by the outer hypervisor"))
        #expect(f.summary.contains("root partition"))
        #expect(!f.summary.contains("has no VT-x"))
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("cpu.vmx", "hidden-hyperv-root"))
    }

    @Test func aHyperVGuestIsToldToExposeExtensions() throws {
        let hv = HypervisorFacts(present: true, signature: "Microsoft Hv", name: "Microsoft Hyper-V", maxLeaf: 0x4000_000B)
        let f = try Fixtures.finding("cpu.vmx", Fixtures.facts(features: ["vmx": false, "hypervisor": true], hypervisor: hv))
        #expect(f.remediation?.contains("ExposeVirtualizationExtensions") == true)
    }

    @Test func aSoftwareBackendIsNamed() throws {
        let f = try Fixtures.finding("cpu.svm", Fixtures.pvmGuest())
        #expect(f.status == .fail)
        #expect(f.summary.contains("kvm_pvm"))
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("cpu.svm", "hidden-kvm"))
    }

    @Test func svmPassesFailsAndIsUnknown() throws {
        #expect(try Fixtures.finding("cpu.svm", Fixtures.amd()).status == .pass)
        #expect(try Fixtures.finding("cpu.svm", Fixtures.amd(features: ["svm": false, "hypervisor": false], svm: nil)).status == .fail)
        #expect(try Fixtures.finding("cpu.svm", Fixtures.amd(features: [:], svm: nil)).status == .unknown)
        #expect(try Fixtures.finding("cpu.svm", Fixtures.facts()).status == .notApplicable)
    }

    static let locked = VMXFacts.FeatureControl(locked: true, vmxInsideSmx: false, vmxOutsideSmx: true)

    @Test func firmwareEnabledVMXPasses() throws {
        let f = try Fixtures.finding("cpu.vmx.enabled-by-firmware", Fixtures.facts(vmx: Fixtures.vmxFacts(nil, featureControl: Self.locked)))
        #expect(f.status == .pass)
    }

    @Test func firmwareDisabledVMXFails() throws {
        let off = VMXFacts.FeatureControl(locked: true, vmxInsideSmx: false, vmxOutsideSmx: false)
        let f = try Fixtures.finding("cpu.vmx.enabled-by-firmware", Fixtures.facts(vmx: Fixtures.vmxFacts(nil, featureControl: off)))
        #expect(f.status == .fail)
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("cpu.vmx.enabled-by-firmware", "locked-disabled"))
        let smxOnly = VMXFacts.FeatureControl(locked: true, vmxInsideSmx: true, vmxOutsideSmx: false)
        let g = try Fixtures.finding("cpu.vmx.enabled-by-firmware", Fixtures.facts(vmx: Fixtures.vmxFacts(nil, featureControl: smxOnly)))
        #expect(g.remediation == RuleCatalogue.builtIn.remediation("cpu.vmx.enabled-by-firmware", "locked-smx-only"))
    }

    /// Linux clears `vmx` from cpuinfo when firmware left VT-x off (arch/x86/kernel/cpu/feat_ctl.c).
    @Test func kernelClearedFlagMeansFirmwareDisabled() throws {
        let f = try Fixtures.finding("cpu.vmx.enabled-by-firmware", Fixtures.facts(vmx: Fixtures.vmxFacts(nil), kernelFlags: ["fpu", "sse2"]))
        #expect(f.status == .fail)
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("cpu.vmx.enabled-by-firmware", "kernel-cleared"))
        let kept = try Fixtures.finding("cpu.vmx.enabled-by-firmware",
                                        Fixtures.facts(vmx: Fixtures.vmxFacts(nil), kernelFlags: ["fpu", "vmx"], kernelRelease: "6.8.0-31-generic"))
        #expect(kept.status == .pass)
    }

    @Test func unreadableFeatureControlIsUnknownWithTheMSRDriverRemedy() throws {
        let denied = [MSRRead(index: 0x3A, status: .denied, detail: "EACCES")]
        let f = try Fixtures.finding("cpu.vmx.enabled-by-firmware", Fixtures.facts(vmx: Fixtures.vmxFacts(nil), msrs: denied), kind: .live)
        #expect(f.status == .unknown)
        #expect(f.summary.contains("needs root"))
        #expect(f.remediation?.contains("--load-msr-driver") == true)
        let absent = [MSRRead(index: 0x3A, status: .absent, detail: "ENOENT")]
        let g = try Fixtures.finding("cpu.vmx.enabled-by-firmware", Fixtures.facts(vmx: Fixtures.vmxFacts(nil), msrs: absent), kind: .live)
        #expect(g.status == .unknown)
        #expect(g.summary.contains("msr driver"))
        let offline = try Fixtures.finding("cpu.vmx.enabled-by-firmware", Fixtures.facts(vmx: Fixtures.vmxFacts(nil)))
        #expect(offline.status == .unknown)
        #expect(offline.remediation == RuleCatalogue.builtIn.remediation("cpu.vmx.enabled-by-firmware", "offline"))
    }

    @Test func svmFirmwareRule() throws {
        let id = "cpu.svm.enabled-by-firmware"
        #expect(try Fixtures.finding(id, Fixtures.amd(svm: Fixtures.svmFacts(disabled: false, locked: false))).status == .pass)
        let locked = try Fixtures.finding(id, Fixtures.amd(svm: Fixtures.svmFacts(disabled: true, locked: true)))
        #expect(locked.status == .fail)
        #expect(locked.remediation == RuleCatalogue.builtIn.remediation(id, "disabled-locked"))
        let unlocked = try Fixtures.finding(id, Fixtures.amd(svm: Fixtures.svmFacts(disabled: true, locked: false)))
        #expect(unlocked.status == .fail)
        #expect(unlocked.remediation == RuleCatalogue.builtIn.remediation(id, "disabled-unlocked"))
        let unknown = try Fixtures.finding(id, Fixtures.amd(msrs: [MSRRead(index: 0xC001_0114, status: .denied)]), kind: .live)
        #expect(unknown.status == .unknown)
        #expect(unknown.remediation?.contains("--load-msr-driver") == true)
        #expect(try Fixtures.finding(id, Fixtures.facts()).status == .notApplicable)
    }
}
