/// One entry of the rule catalogue (`Data/rules/catalogue.yaml`): what a rule checks, why it
/// matters, where its facts come from, and the remediation text per situation. Rule code chooses
/// a situation; the words live in the data so `explain` and the report say the same thing.
///
/// It lives in HostModel, beside `EvidenceNeed`, so that the build-time table compiler
/// (Sources/compile-rule-tables) decodes the YAML with this very `Decodable` conformance; the
/// shipped binary holds the decoded values as Swift literals (Analysis' `RuleCatalogue`).
public struct RuleDefinition: Codable, Sendable, Hashable {
    /// Whether a CPUID dump can decide the rule (`cpu`) or the host itself is needed (`host`).
    public enum Side: String, Codable, Sendable, Hashable {
        case cpu, host
    }

    public var id: String
    /// `cpu`, `vmx`, `svm`, `kvm`, `cc`, `iommu`: the rule family, for listing.
    public var family: String
    public var side: Side
    public var title: String
    public var checks: String
    public var why: String
    public var sources: [String]
    /// Situation key → what to do. `{backend}` is replaced by the KVM backend module in use.
    public var remediation: [String: String]
    /// What the rule reads (`evidence:` in the catalogue, `KIND VALUE` strings): the live probe's
    /// read lists derive from these (`RuleCatalogue.evidencePlan`), and `explain` prints them.
    public var evidence: [EvidenceNeed]

    private enum CodingKeys: String, CodingKey {
        case id, family, side, title, checks, why, sources, remediation, evidence
    }

    public init(id: String, family: String, side: Side, title: String, checks: String, why: String,
                sources: [String], remediation: [String: String], evidence: [EvidenceNeed]) {
        self.id = id
        self.family = family
        self.side = side
        self.title = title
        self.checks = checks
        self.why = why
        self.sources = sources
        self.remediation = remediation
        self.evidence = evidence
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        family = try c.decode(String.self, forKey: .family)
        side = try c.decode(Side.self, forKey: .side)
        title = try c.decode(String.self, forKey: .title)
        checks = try c.decode(String.self, forKey: .checks)
        why = try c.decode(String.self, forKey: .why)
        sources = try c.decode([String].self, forKey: .sources)
        remediation = try c.decode([String: String].self, forKey: .remediation)
        var needs: [EvidenceNeed] = []
        // A rule without the key decodes (with no needs) so the catalogue still loads; the test
        // EvidenceDeclarationTests.everyRuleDeclaresWhatItReads names it.
        for text in try c.decodeIfPresent([String].self, forKey: .evidence) ?? [] {
            do {
                needs += try EvidenceNeed.list(parsing: text)
            } catch {
                throw DecodingError.dataCorruptedError(forKey: .evidence, in: c, debugDescription: "\(id): \(error.description)")
            }
        }
        evidence = needs
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(family, forKey: .family)
        try c.encode(side, forKey: .side)
        try c.encode(title, forKey: .title)
        try c.encode(checks, forKey: .checks)
        try c.encode(why, forKey: .why)
        try c.encode(sources, forKey: .sources)
        try c.encode(remediation, forKey: .remediation)
        try c.encode(evidence, forKey: .evidence)
    }
}
