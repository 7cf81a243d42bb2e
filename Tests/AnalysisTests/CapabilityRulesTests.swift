import HostModel
import Testing
@testable import Analysis

/// Every VT-x capability rule, npt, avic and tsc-scaling: pass, fail/warn, unknown, n/a.
struct CapabilityRulesTests {
    static let vmxIds = VMXCapabilityRules.capabilities.map(\.id) + ["cpu.tsc-scaling"]

    @Test(arguments: vmxIds)
    func passesWhenTheMSRsSaySo(id: String) throws {
        #expect(try Fixtures.finding(id, Fixtures.facts(vmx: Fixtures.vmxFacts(true))).status == .pass)
    }

    @Test(arguments: vmxIds)
    func missingFailsOrWarns(id: String) throws {
        let f = try Fixtures.finding(id, Fixtures.facts(vmx: Fixtures.vmxFacts(false)))
        let required = ["cpu.ept", "cpu.unrestricted-guest", "cpu.vmx-ins-outs"].contains(id)
        #expect(f.status == (required ? .fail : .warn))
        #expect(f.remediation != nil)
    }

    @Test(arguments: vmxIds)
    func noSourceIsUnknownWithAWayToRead(id: String) throws {
        let f = try Fixtures.finding(id, Fixtures.facts(vmx: Fixtures.vmxFacts(nil), msrs: [MSRRead(index: 0x48B, status: .denied)]), kind: .live)
        #expect(f.status == .unknown)
        #expect(f.summary.contains("needs root"))
        #expect(f.remediation?.contains("--load-msr-driver") == true)
    }

    @Test(arguments: vmxIds)
    func notApplicableWithoutVTx(id: String) throws {
        #expect(try Fixtures.finding(id, Fixtures.facts(features: ["vmx": false])).status == .notApplicable)
    }

    @Test func cpuinfoVmxFlagsAreASource() throws {
        let f = try Fixtures.finding("cpu.ept", Fixtures.facts(vmx: Fixtures.vmxFacts(true, source: .cpuinfo)))
        #expect(f.evidence.first?.source == "/proc/cpuinfo vmx flags")
    }

    @Test func apicvNeedsBothHalves() throws {
        var vmx = Fixtures.vmxFacts(true)
        vmx.virtualInterruptDelivery = false
        #expect(try Fixtures.finding("cpu.apicv", Fixtures.facts(vmx: vmx)).status == .warn)
        vmx.virtualInterruptDelivery = nil
        #expect(try Fixtures.finding("cpu.apicv", Fixtures.facts(vmx: vmx)).status == .unknown)
    }

    @Test func kvmSwitchedOffWarns() throws {
        let modules = [KernelModule(name: "kvm_intel", parameters: [.init(name: "ept", value: "N")])]
        let f = try Fixtures.finding("cpu.ept", Fixtures.facts(vmx: Fixtures.vmxFacts(true), modules: modules))
        #expect(f.status == .warn)
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("cpu.ept", "kvm-disabled"))
    }

    /// kvm_intel switches APICv off by itself without posted interrupts (cpu_has_vmx_apicv()): then
    /// enable_apicv=N is no user's choice and reloading with enable_apicv=1 cannot help (seen in the
    /// lab's Bochs Skylake-X machine, loaded without the parameter). With posted interrupts, N
    /// was someone's choice and the reload remedy stands.
    @Test func apicvOffWithoutPostedInterruptsIsKVMsOwnDecision() throws {
        let modules = [KernelModule(name: "kvm_intel", parameters: [.init(name: "enable_apicv", value: "N")])]
        var vmx = Fixtures.vmxFacts(true)
        vmx.postedInterrupts = false
        let own = try Fixtures.finding("cpu.apicv", Fixtures.facts(vmx: vmx, modules: modules))
        #expect(own.status == .warn && own.summary.contains("posted interrupts") && own.summary.contains("by itself"))
        #expect(own.remediation == RuleCatalogue.builtIn.remediation("cpu.apicv", "kvm-turns-off"))
        let chosen = try Fixtures.finding("cpu.apicv", Fixtures.facts(vmx: Fixtures.vmxFacts(true), modules: modules))
        #expect(chosen.status == .warn && chosen.remediation == RuleCatalogue.builtIn.remediation("cpu.apicv", "kvm-disabled"))
    }

    /// kvm_intel refuses the preemption timer when TSC >> IA32_VMX_MISC[4:0] exceeds 0xffffffff / 10
    /// Hz: at rate 0 (Bochs's Skylake-X) for any TSC above 429 MHz, at rate 1 above 858 MHz; at
    /// rate 5 (common on real CPUs) only above 13.7 GHz, so N there was a choice.
    @Test(arguments: [(0, true), (1, true), (2, false), (5, false)])
    func preemptionTimerRefusedAtAFastRate(rate: Int, refused: Bool) throws {
        let modules = [KernelModule(name: "kvm_intel", parameters: [.init(name: "preemption_timer", value: "N")])]
        var vmx = Fixtures.vmxFacts(true)
        vmx.misc = VMXFacts.Misc(raw: UInt64(rate), preemptionTimerRate: rate, storesLma: true, activityHlt: true, activityShutdown: true,
                                 activityWaitForSipi: true, processorTraceInVmx: false, smbaseReadInSmm: false, cr3TargetCount: 4,
                                 maxMsrListSize: 512, vmxoffBlocksSmi: false, vmwriteAnyField: true, zeroLengthInjection: true, msegRevisionId: 0)
        let f = try Fixtures.finding("cpu.preemption-timer", Fixtures.facts(vmx: vmx, modules: modules))
        #expect(f.status == .warn)
        #expect(f.summary.contains("IA32_VMX_MISC[4:0] = \(rate)") == refused)
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("cpu.preemption-timer", refused ? "kvm-turns-off" : "kvm-disabled"))
    }

    @Test func nptAndAvic() throws {
        #expect(try Fixtures.finding("cpu.npt", Fixtures.amd()).status == .pass)
        #expect(try Fixtures.finding("cpu.npt", Fixtures.amd(svm: Fixtures.svmFacts(nestedPaging: false))).status == .fail)
        #expect(try Fixtures.finding("cpu.npt", Fixtures.amd(features: ["svm": false], svm: nil)).status == .notApplicable)
        #expect(try Fixtures.finding("cpu.npt", Fixtures.facts()).status == .notApplicable)
        #expect(try Fixtures.finding("cpu.avic", Fixtures.amd()).status == .pass)
        #expect(try Fixtures.finding("cpu.avic", Fixtures.amd(svm: Fixtures.svmFacts(avic: false))).status == .warn)
        let off = [KernelModule(name: "kvm_amd", parameters: [.init(name: "avic", value: "0")])]
        #expect(try Fixtures.finding("cpu.avic", Fixtures.amd(modules: off)).status == .warn)
        #expect(try Fixtures.finding("cpu.tsc-scaling", Fixtures.amd()).status == .pass)
        #expect(try Fixtures.finding("cpu.tsc-scaling", Fixtures.amd(svm: Fixtures.svmFacts(tscRate: false))).status == .warn)
    }
}
