import HostModel
import Testing
@testable import Analysis

/// cc.sev-snp, cc.sev-snp.kvm, cc.tdx, cc.tdx.kvm: pass, fail, unknown.
struct ConfidentialComputingRulesTests {
    @Test func genoaReportingSNPPasses() throws {
        let a = try Fixtures.assess(cpuid: "genoa-02-snp")
        let f = try #require(a.finding("cc.sev-snp"))
        #expect(f.status == .pass)
    }

    @Test func genoaWithoutTheSNPBitIsToldExactlyWhatIsMissing() throws {
        let a = try Fixtures.assess(cpuid: "genoa-01-no-snp")
        let f = try #require(a.finding("cc.sev-snp"))
        #expect(f.status == .fail)
        #expect(f.summary.contains("lacks SEV-SNP (Fn8000_001F_EAX[4])"))
        #expect(f.summary.contains("it reports AMD-V (Fn8000_0001_ECX[2]), SEV (Fn8000_001F_EAX[1]), SEV-ES (Fn8000_001F_EAX[3])"))
        #expect(f.remediation == RuleCatalogue.builtIn.remediation("cc.sev-snp", "missing"))
    }

    @Test func sevSnpWithoutCPUIDIsUnknown() throws {
        var facts = Fixtures.amd()
        facts.identity.signature = nil
        #expect(try Fixtures.finding("cc.sev-snp", facts).status == .unknown)
        #expect(try Fixtures.finding("cc.sev-snp", Fixtures.amd(sev: nil)).status == .fail)
        #expect(try Fixtures.finding("cc.sev-snp", Fixtures.facts()).status == .fail)
    }

    static func snpHost(param: String?, sevDevice: Bool?) -> HostFacts {
        let params = param.map { [KernelModule.Parameter(name: "sev_snp", value: $0)] } ?? []
        return Fixtures.amd(modules: [KernelModule(name: "kvm", parameters: []), KernelModule(name: "kvm_amd", parameters: params)], sevDevice: sevDevice)
    }

    @Test func sevSnpKVM() throws {
        let id = "cc.sev-snp.kvm"
        #expect(try Fixtures.finding(id, Self.snpHost(param: "Y", sevDevice: true), kind: .live).status == .pass)
        let off = try Fixtures.finding(id, Self.snpHost(param: "N", sevDevice: true), kind: .live)
        #expect(off.status == .fail)
        #expect(off.remediation == RuleCatalogue.builtIn.remediation(id, "param-off"))
        #expect(try Fixtures.finding(id, Self.snpHost(param: nil, sevDevice: true), kind: .live).status == .fail)
        let noDev = try Fixtures.finding(id, Self.snpHost(param: "Y", sevDevice: false), kind: .live)
        #expect(noDev.remediation == RuleCatalogue.builtIn.remediation(id, "no-dev-sev"))
        #expect(try Fixtures.finding(id, Fixtures.pvmGuest(), kind: .live).status == .fail)
        #expect(try Fixtures.finding(id, Fixtures.amd()).status == .unknown)
    }

    @Test func tdx() throws {
        let xeon = "Intel(R) Xeon(R) Platinum 8480+"
        #expect(try Fixtures.finding("cc.tdx", Fixtures.facts(model: 0x8F, brand: xeon, kernelFlags: ["vmx", "tdx_host_platform"])).status == .pass)
        let enabled = [MSRRead(index: 0x1401, status: .ok, value: 0x0000_00FF_FE00_0800)]
        #expect(try Fixtures.finding("cc.tdx", Fixtures.facts(model: 0x8F, brand: xeon, msrs: enabled)).status == .pass)
        let disabled = [MSRRead(index: 0x1401, status: .ok, value: 0)]
        let off = try Fixtures.finding("cc.tdx", Fixtures.facts(model: 0x8F, brand: xeon, msrs: disabled))
        #expect(off.status == .fail)
        #expect(off.remediation == RuleCatalogue.builtIn.remediation("cc.tdx", "seamrr-disabled"))
        let noSeam = [MSRRead(index: 0x1401, status: .unsupported)]
        #expect(try Fixtures.finding("cc.tdx", Fixtures.facts(msrs: noSeam)).status == .fail)
        let client = try Fixtures.finding("cc.tdx", Fixtures.facts(model: 0x9E, brand: "Intel(R) Core(TM) i7-9700 CPU @ 3.00GHz"))
        #expect(client.status == .fail)
        #expect(client.remediation == RuleCatalogue.builtIn.remediation("cc.tdx", "not-xeon"))
        #expect(try Fixtures.finding("cc.tdx", Fixtures.facts(model: 0x8F, brand: xeon)).status == .unknown)
        #expect(try Fixtures.finding("cc.tdx", Fixtures.amd()).status == .fail)
    }

    @Test func tdxKVM() throws {
        func host(_ value: String?) -> HostFacts {
            Fixtures.facts(modules: [KernelModule(name: "kvm_intel", parameters: value.map { [.init(name: "tdx", value: $0)] } ?? [])])
        }
        #expect(try Fixtures.finding("cc.tdx.kvm", host("Y"), kind: .live).status == .pass)
        #expect(try Fixtures.finding("cc.tdx.kvm", host("N"), kind: .live).status == .fail)
        #expect(try Fixtures.finding("cc.tdx.kvm", host(nil), kind: .live).status == .fail)
        #expect(try Fixtures.finding("cc.tdx.kvm", Fixtures.facts(modules: []), kind: .live).status == .fail)
        #expect(try Fixtures.finding("cc.tdx.kvm", Fixtures.facts()).status == .unknown)
    }
}
