import HostModel

/// Snapshot in, assessment out: decode, run the rules, decide the verdict, evaluate profiles.
public enum Assessor {
    public static func assess(_ snapshot: Snapshot) -> Assessment {
        var facts = FactsDecoder.decode(snapshot)
        let passthrough = PassthroughRules.assess(iommu: facts.iommu, pci: facts.pci)
        facts.pci = passthrough.pci
        let findings = CoreRules.findings(facts, source: snapshot.source) + passthrough.findings
        return Assessment(source: snapshot.source, facts: facts, verdict: VerdictEngine.verdict(facts, source: snapshot.source),
                          findings: findings, profiles: ProfileEvaluator.evaluate(findings))
    }
}
