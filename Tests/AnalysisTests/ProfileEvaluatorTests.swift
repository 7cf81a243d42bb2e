import HostModel
import Testing
@testable import Analysis

/// Profile semantics (DESIGN.md): every profile listed; fail when any requirement fails, pass
/// when all pass, else unknown; `cpu` from the CPU-side requirements alone.
struct ProfileEvaluatorTests {
    static func assess(_ f: HostFacts, kind: SourceInfo.Kind = .live, policy: Policy = Policy()) -> [ProfileResult] {
        ProfileEvaluator.evaluate(policy.apply(to: RuleEngine.findings(f, source: SourceInfo(kind: kind))), ignoring: policy.ignoredRules)
    }

    static func result(_ id: String, _ results: [ProfileResult]) throws -> ProfileResult {
        try #require(results.first { $0.id == id })
    }

    /// This workplace: a guest ran through kvm_pvm with no VT-x/AMD-V exposed.
    @Test func thisMachineRunsVMsThroughKvmPvm() throws {
        let results = Self.assess(Fixtures.pvmGuest())
        #expect(results.map(\.id) == ProfileEvaluator.profiles.map(\.id))
        let vmHost = try Self.result("vm-host", results)
        #expect(vmHost.status == .pass)
        #expect(vmHost.cpu == .fail)
        #expect(try Self.result("kvm", results).status == .pass)
        let nested = try Self.result("nested", results)
        #expect(nested.status == .fail)
        #expect(nested.failed == ["kvm.nested"])
        let vfio = try Self.result("vfio", results)
        #expect(vfio.status == .unknown)
        #expect(vfio.unknown.contains("iommu.enabled"))
        #expect(try Self.result("vmware", results).status == .fail)
        #expect(try Self.result("qemu-tcg", results).status == .pass)
    }

    @Test func withoutAGuestRunTheVerdictIsUnknown() throws {
        let vmHost = try Self.result("vm-host", Self.assess(Fixtures.pvmGuest(run: nil)))
        #expect(vmHost.status == .unknown)
        #expect(vmHost.unknown == ["kvm.guest-run"])
    }

    @Test func aFailedRunFailsVmHost() throws {
        let failed = GuestRunEvidence(ok: false, runs: [], exitLatencyNs: nil, timedOut: false, error: "KVM_CREATE_VM: ENODEV")
        #expect(try Self.result("vm-host", Self.assess(Fixtures.pvmGuest(run: failed))).status == .fail)
    }

    @Test func requirementGroups() {
        func f(_ id: String, _ s: FindingStatus) -> Finding { Finding(id: id, status: s, title: id, summary: id, evidence: []) }
        let group = ["cpu.ept", "cpu.npt"]
        #expect(ProfileEvaluator.status(of: group, [f("cpu.ept", .fail), f("cpu.npt", .notApplicable)]) == (.fail, ["cpu.ept"]))
        #expect(ProfileEvaluator.status(of: group, [f("cpu.ept", .warn), f("cpu.npt", .notApplicable)]).status == .pass)
        #expect(ProfileEvaluator.status(of: group, [f("cpu.ept", .notApplicable), f("cpu.npt", .notApplicable)]).status == .pass)
        #expect(ProfileEvaluator.status(of: group, [f("cpu.ept", .unknown), f("cpu.npt", .fail)]) == (.unknown, ["cpu.ept"]))
        #expect(ProfileEvaluator.status(of: group, []).status == .unknown)
    }

    @Test func bhyveOnAMDNeedsNoUnrestrictedGuest() throws {
        let results = Self.assess(Fixtures.amd(svm: Fixtures.svmFacts(disabled: false, locked: true)))
        let bhyve = try Self.result("bhyve", results)
        #expect(bhyve.status == .pass)
        #expect(bhyve.cpu == .pass)
    }

    @Test func anIntelHostIsNotAnSNPHost() throws {
        let facts = Fixtures.facts(vmx: Fixtures.vmxFacts(true, featureControl: .init(locked: true, vmxInsideSmx: false, vmxOutsideSmx: true)))
        let snp = try Self.result("sev-snp", Self.assess(facts))
        #expect(snp.status == .fail)
        #expect(snp.failed.contains("cc.sev-snp"))
    }
}
