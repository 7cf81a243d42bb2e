import HostModel
import Testing
@testable import Analysis

/// The catalogue, the profiles and the rules agree: every id a rule emits or a profile requires
/// is documented, every remediation a rule picks exists, and the data decodes.
struct CatalogueTests {
    /// Facts that between them drive every rule through most of its branches.
    static let variety: [HostFacts] = [
        Fixtures.facts(), Fixtures.facts(vmx: Fixtures.vmxFacts(true)), Fixtures.facts(vmx: Fixtures.vmxFacts(false)),
        Fixtures.facts(vmx: Fixtures.vmxFacts(nil)), Fixtures.facts(features: [:]), Fixtures.facts(features: ["vmx": false]),
        Fixtures.amd(), Fixtures.amd(svm: Fixtures.svmFacts(nestedPaging: false, avic: false, tscRate: false, disabled: true, locked: true)),
        Fixtures.pvmGuest(), Fixtures.pvmGuest(run: nil),
        Fixtures.facts(features: ["vmx": false, "hypervisor": true], hypervisor: HypervisorFacts(present: true, signature: "VMwareVMware", name: "VMware")),
    ]

    @Test func everyEmittedRuleIsInTheCatalogue() {
        let ids = Set(RuleCatalogue.builtIn.ids)
        for f in Self.variety {
            for finding in Fixtures.findings(f) {
                #expect(ids.contains(finding.id), "\(finding.id) is not in catalogue.yaml")
            }
        }
    }

    @Test func everyRemediationKeyARuleUsesExists() {
        for kind in [SourceInfo.Kind.files, .live] {
            for f in Self.variety {
                for finding in Fixtures.findings(f, kind: kind) {
                    #expect(!(finding.remediation ?? "").contains(RuleCatalogue.missingMarker), "\(finding.id): \(finding.remediation ?? "")")
                    if finding.status == .fail || finding.status == .unknown {
                        #expect(finding.remediation != nil, "\(finding.id) is \(finding.status) without a remedy")
                    }
                    #expect(!finding.summary.isEmpty)
                }
            }
        }
    }

    @Test func idsAreDottedAndUnique() {
        let ids = RuleCatalogue.builtIn.ids
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.split(separator: ".").count >= 2, "\(id) is not dotted")
            #expect(id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "." || $0 == "-" }, "\(id)")
        }
        for rule in RuleCatalogue.builtIn.rules {
            #expect(!rule.sources.isEmpty, "\(rule.id) has no sources")
            #expect(!rule.why.isEmpty && !rule.checks.isEmpty)
        }
    }

    @Test func theDesignIdsAreKept() {
        let design = ["cpu.vmx", "cpu.svm", "cpu.vmx.enabled-by-firmware", "cpu.svm.enabled-by-firmware", "cpu.ept", "cpu.npt",
                      "cpu.unrestricted-guest", "cpu.vpid", "cpu.vmcs-shadowing", "cpu.apicv", "cpu.avic", "cpu.posted-interrupts",
                      "kvm.device", "kvm.accessible", "kvm.api", "kvm.guest-run", "kvm.nested", "iommu.enabled",
                      "iommu.interrupt-remapping", "iommu.groups", "pci.passthrough", "cc.sev-snp", "cc.tdx"]
        for id in design { #expect(RuleCatalogue.builtIn.rule(id) != nil, "\(id)") }
    }

    @Test func profilesNameOnlyCataloguedRules() {
        let expected = ["vm-host", "kvm", "xen-hvm", "xen-pv", "paravirt", "vmware", "vmware-esxi", "virtualbox", "hyper-v", "bhyve",
                        "parallels", "qemu-tcg", "bochs", "virtual-pc", "containers", "nested", "vfio", "sev-snp", "tdx"]
        #expect(ProfileEvaluator.profiles.map(\.id) == expected)
        for p in ProfileEvaluator.profiles {
            #expect(!p.sources.isEmpty, "\(p.id) has no sources")
            for r in p.requires {
                for id in r.any {
                    let rule = RuleCatalogue.builtIn.rule(id)
                    #expect(rule != nil, "\(p.id) requires unknown \(id)")
                    #expect(rule?.side == r.side, "\(p.id): \(id) is \(rule?.side.rawValue ?? "?") but required as \(r.side.rawValue)")
                }
                // `via` rules meet a requirement through another layer, so their side may differ.
                for id in r.via ?? [] { #expect(RuleCatalogue.builtIn.rule(id) != nil, "\(p.id) names unknown via \(id)") }
            }
            if let proof = p.cpuProvenBy {
                #expect(p.requires.contains { $0.side == .host && $0.any == [proof] }, "\(p.id): its proof \(proof) is not a host requirement")
            }
        }
    }

    @Test func closeMatchesSuggestTypos() {
        let c = RuleCatalogue.builtIn
        #expect(c.closeMatches(to: "cpu.eptt").first == "cpu.ept")
        #expect(c.closeMatches(to: "kvm.nest").contains("kvm.nested"))
        #expect(c.closeMatches(to: "sev-snp").contains("cc.sev-snp"))
        #expect(c.closeMatches(to: "zzzzzzzzzzzz").isEmpty)
    }

    @Test func theModelTableDecodesAndMatchesByBrandToken() {
        let table = CPUModelTable.builtIn
        #expect(table.entries.count > 30)
        let e4500 = CPUIdentity(vendor: "GenuineIntel", family: 6, model: 0x0F, brand: "Intel(R) Core(TM)2 Duo CPU     E4500  @ 2.20GHz")
        #expect(table.lacking("cpu.vmx", e4500)?.name.contains("E4500") == true)
        let e6750 = CPUIdentity(vendor: "GenuineIntel", family: 6, model: 0x0F, brand: "Intel(R) Core(TM)2 Duo CPU     E6750  @ 2.66GHz")
        #expect(table.lacking("cpu.vmx", e6750) == nil)
        #expect(table.lacking("cpu.ept", e6750) != nil)
        let skylake = CPUIdentity(vendor: "GenuineIntel", family: 6, model: 0x55, brand: "Intel(R) Xeon(R) Gold 6148 CPU")
        #expect(table.lacking("cpu.ept", skylake) == nil)
    }
}
