import HostModel

/// A gating policy (`--policy FILE`): the profiles a host must satisfy, per-rule overrides, and
/// whether a required `unknown` counts as failed. Parsed and validated by `PolicyParser`.
public struct Policy: Sendable, Hashable {
    /// What a policy does with one rule's finding.
    public enum Override: String, Sendable, Hashable, CaseIterable {
        /// The rule becomes required: a `warn` counts as `fail`, and a failure fails the gate
        /// even when no required profile needs the rule.
        case fail
        /// A failure is tolerated: reported as `warn`, which satisfies profiles.
        case warn
        /// The rule is not evaluated: reported as `not-applicable`, which satisfies profiles.
        case ignore
    }

    public var profiles: [String]
    public var rules: [String: Override]
    public var strict: Bool

    public init(profiles: [String] = [], rules: [String: Override] = [:], strict: Bool = false) {
        self.profiles = profiles
        self.rules = rules
        self.strict = strict
    }

    /// The findings as the policy sees them. Each changed finding says so in its summary, so a
    /// report never hides that a policy changed a verdict.
    public func apply(to findings: [Finding]) -> [Finding] {
        findings.map { finding in
            guard let override = rules[finding.id] else { return finding }
            var f = finding
            switch (override, finding.status) {
            case (.ignore, let status) where status != .notApplicable:
                f.status = .notApplicable
                f.summary = "Ignored by policy (was \(status.rawValue)): \(finding.summary)"
            case (.warn, .fail):
                f.status = .warn
                f.summary = "Tolerated by policy (was fail): \(finding.summary)"
            case (.fail, .warn):
                f.status = .fail
                f.summary = "Required by policy (was warn): \(finding.summary)"
            default:
                break
            }
            return f
        }
    }

    /// Rules the policy leaves out of every profile.
    public var ignoredRules: Set<String> {
        Set(rules.filter { $0.value == .ignore }.map(\.key))
    }

    /// Rules the policy makes required on their own (`fail` overrides).
    public var requiredRules: [String] {
        rules.filter { $0.value == .fail }.map(\.key).sorted()
    }
}
