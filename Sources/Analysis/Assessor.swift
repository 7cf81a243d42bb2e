import HostModel

/// Snapshot in, assessment out: decode, run the rules, decide the verdict, evaluate profiles.
public enum Assessor {
    public static func assess(_ snapshot: Snapshot) -> Assessment {
        let facts = FactsDecoder.decode(snapshot)
        let findings = CoreRules.findings(facts, source: snapshot.source)
        return Assessment(source: snapshot.source, facts: facts, verdict: VerdictEngine.verdict(facts, source: snapshot.source),
                          findings: findings, profiles: ProfileEvaluator.evaluate(findings))
    }
}
