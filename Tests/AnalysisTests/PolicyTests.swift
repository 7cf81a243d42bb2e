import HostModel
import Testing
@testable import Analysis

/// Policy files: parsing (YAML and JSON), strict validation with `path: message` errors,
/// overrides, and the exit codes of DESIGN.md.
struct PolicyTests {
    @Test func parsesYAML() throws {
        let p = try PolicyParser.parse("""
        # CI gate for the VM runners
        description: runners must nest
        profiles: [kvm, nested]
        strict: true
        rules:
          cpu.vmcs-shadowing: fail
          kvm.nested: warn
          cc.tdx: ignore
        """)
        #expect(p.profiles == ["kvm", "nested"])
        #expect(p.strict)
        #expect(p.rules == ["cpu.vmcs-shadowing": .fail, "kvm.nested": .warn, "cc.tdx": .ignore])
        #expect(p.requiredRules == ["cpu.vmcs-shadowing"])
    }

    @Test func parsesJSON() throws {
        let p = try PolicyParser.parse(#"{"profiles": ["vm-host"], "rules": {"cpu.ept": "fail"}, "strict": false}"#)
        #expect(p.profiles == ["vm-host"])
        #expect(p.rules["cpu.ept"] == .fail)
        #expect(!p.strict)
    }

    @Test(arguments: [
        ("profiles: [kvm]\nstrictt: true", "strictt: unknown key; expected one of profiles, rules, strict, description"),
        ("profiles: [kvmm]", "profiles[0]: unknown profile 'kvmm'; did you mean kvm?"),
        ("profiles: kvm", "profiles: expected a list of profile ids"),
        ("rules:\n  cpu.eptt: fail", "rules[\"cpu.eptt\"]: unknown rule id; did you mean cpu.ept"),
        ("rules:\n  cpu.ept: fatal", "rules[\"cpu.ept\"]: expected one of fail, warn, ignore"),
        ("rules: [cpu.ept]", "rules: expected a mapping of rule id to fail, warn or ignore"),
        ("strict: \"yes\"", "strict: expected true or false"),
        ("strict: 1", "strict: expected true or false"),
        ("- kvm", "(document): expected a mapping"),
        ("", "(document): expected a mapping"),
        ("profiles: [kvm", "line "),
    ])
    func rejects(text: String, message: String) {
        do {
            _ = try PolicyParser.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix(message) || error.description.contains(message), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    static func finding(_ id: String, _ status: FindingStatus) -> Finding {
        Finding(id: id, status: status, title: id, summary: "s", evidence: [])
    }

    @Test func overridesChangeStatusesAndSaySo() {
        let p = Policy(rules: ["cpu.ept": .ignore, "kvm.nested": .warn, "cpu.vpid": .fail])
        let out = p.apply(to: [Self.finding("cpu.ept", .fail), Self.finding("kvm.nested", .fail), Self.finding("cpu.vpid", .warn),
                               Self.finding("cpu.pml", .fail), Self.finding("cpu.vmx", .unknown)])
        #expect(out.map(\.status) == [.notApplicable, .warn, .fail, .fail, .unknown])
        #expect(out[0].summary.hasPrefix("Ignored by policy (was fail)"))
        #expect(out[1].summary.hasPrefix("Tolerated by policy"))
        #expect(out[2].summary.hasPrefix("Required by policy"))
        #expect(out[3].summary == "s")
    }

    static func assessment(_ f: HostFacts, policy: Policy) -> Assessment {
        let findings = policy.apply(to: RuleEngine.findings(f, source: SourceInfo(kind: .live)))
        return Assessment(source: SourceInfo(kind: .live), facts: f, verdict: VerdictEngine.verdict(f, source: SourceInfo(kind: .live)),
                          findings: findings, profiles: ProfileEvaluator.evaluate(findings, ignoring: policy.ignoredRules))
    }

    @Test func exitCodes() {
        let pvm = Fixtures.pvmGuest()
        #expect(GateDecision.exitCode(Self.assessment(pvm, policy: Policy()), profiles: []) == 0)
        #expect(GateDecision.exitCode(Self.assessment(pvm, policy: Policy()), profiles: ["nested"]) == 1)
        let tolerate = Policy(profiles: ["nested"], rules: ["kvm.nested": .warn])
        #expect(GateDecision.exitCode(Self.assessment(pvm, policy: tolerate), profiles: [], policy: tolerate) == 0)
        #expect(GateDecision.exitCode(Self.assessment(pvm, policy: Policy()), profiles: ["vfio"]) == 3)
        #expect(GateDecision.exitCode(Self.assessment(pvm, policy: Policy()), profiles: ["vfio"], strict: true) == 1)
        let strict = Policy(profiles: ["vfio"], strict: true)
        #expect(GateDecision.exitCode(Self.assessment(pvm, policy: strict), profiles: [], policy: strict) == 1)
        let ignoreIOMMU = Policy(profiles: ["vfio"], rules: ["iommu.enabled": .ignore, "iommu.interrupt-remapping": .ignore, "iommu.groups": .ignore])
        #expect(GateDecision.exitCode(Self.assessment(pvm, policy: ignoreIOMMU), profiles: [], policy: ignoreIOMMU) == 0)
        let requireRule = Policy(rules: ["cc.tdx": .fail])
        #expect(GateDecision.exitCode(Self.assessment(pvm, policy: requireRule), profiles: [], policy: requireRule) == 1)
        let noRun = Fixtures.pvmGuest(run: nil)
        #expect(GateDecision.exitCode(Self.assessment(noRun, policy: Policy()), profiles: []) == 3)
    }
}
