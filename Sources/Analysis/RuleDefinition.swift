/// One entry of the rule catalogue (`Data/rules/catalogue.yaml`): what a rule checks, why it
/// matters, where its facts come from, and the remediation text per situation. Rule code chooses
/// a situation; the words live in the data so `explain` and the report say the same thing.
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
}
