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
