import HostModel

/// Snapshot in, assessment out: decode, run the rules, apply the policy's overrides, decide the
/// verdict, evaluate profiles. Profiles see the findings as the policy left them.
public enum Assessor {
    public static func assess(_ snapshot: Snapshot, policy: Policy = Policy()) -> Assessment {
        var facts = FactsDecoder.decode(snapshot)
        let passthrough = PassthroughRules.assess(iommu: facts.iommu, pci: facts.pci)
        facts.pci = passthrough.pci
        let findings = policy.apply(to: RuleEngine.findings(facts, source: snapshot.source) + passthrough.findings)
        return Assessment(source: snapshot.source, facts: facts, verdict: VerdictEngine.verdict(facts, source: snapshot.source),
                          findings: findings, profiles: ProfileEvaluator.evaluate(findings, ignoring: policy.ignoredRules),
                          popekGoldberg: PopekGoldbergAnalyzer.analyze(facts))
    }
}
