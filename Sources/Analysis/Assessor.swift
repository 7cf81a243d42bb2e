import HostModel
import VirtCheckData

/// Snapshot in, assessment out: decode, run the rules, apply the policy's overrides, decide the
/// verdict, evaluate profiles. Profiles see the findings as the policy left them.
public enum Assessor {
    /// Decodes the embedded tables an assessment reads (the TSV data tables, the CPU models, the
    /// rule catalogue and profiles), each once per process. `check` calls it on a thread of its
    /// own while the host is probed or the snapshot read, so the tables (about 5 M instructions,
    /// a fifth of an assessment; callgrind, issue 16) are not decoded after the evidence is in;
    /// `assess` waits for a table still being decoded (Swift's lazy statics run once).
    public static func prepareTables() {
        _ = CPUIDFeatureBit.table.count
        _ = CPUModelTable.builtIn
        _ = DataTables.popekGoldberg.rows.count
        _ = DataTables.hypervisorSignatures.rows.count
        _ = VMXBit.positions.count
        _ = MSRComparison.comparedBits.count
        _ = RuleCatalogue.builtIn
        _ = ProfileEvaluator.profiles.count
    }

    public static func assess(_ snapshot: Snapshot, policy: Policy = Policy()) -> Assessment {
        var facts = FactsDecoder.decode(snapshot)
        let passthrough = PassthroughRules.assess(iommu: facts.iommu, pci: facts.pci)
        facts.pci = passthrough.pci
        let popekGoldberg = PopekGoldbergAnalyzer.analyze(facts)
        let findings = policy.apply(to: RuleEngine.findings(facts, source: snapshot.source, popekGoldberg: popekGoldberg) + passthrough.findings)
        return Assessment(source: snapshot.source, facts: facts, verdict: VerdictEngine.verdict(facts, source: snapshot.source),
                          findings: findings, profiles: ProfileEvaluator.evaluate(findings, ignoring: policy.ignoredRules),
                          popekGoldberg: popekGoldberg)
    }
}
