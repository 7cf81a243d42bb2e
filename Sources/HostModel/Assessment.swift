/// What the analysis concluded about one snapshot: facts, findings, verdict, profiles.
public struct Assessment: Codable, Sendable, Hashable {
    public var source: SourceInfo
    public var facts: HostFacts
    public var verdict: Verdict
    public var findings: [Finding]
    public var profiles: [ProfileResult]
    /// Popek and Goldberg's condition on this host; nil where no analysis ran.
    public var popekGoldberg: PopekGoldbergAnalysis?

    public init(source: SourceInfo, facts: HostFacts, verdict: Verdict, findings: [Finding], profiles: [ProfileResult],
                popekGoldberg: PopekGoldbergAnalysis? = nil) {
        self.source = source
        self.facts = facts
        self.verdict = verdict
        self.findings = findings
        self.profiles = profiles
        self.popekGoldberg = popekGoldberg
    }

    public func finding(_ id: String, subject: String? = nil) -> Finding? {
        findings.first { $0.id == id && $0.subject == subject }
    }
}
