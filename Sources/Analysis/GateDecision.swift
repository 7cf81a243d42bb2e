import HostModel

/// Turns an assessment into the contract exit code (DESIGN.md "Exit codes"): 1 when a required
/// check fails, 3 when one lacks evidence (1 when strict), else 0. Required checks are the
/// requested profiles (default `vm-host`) plus the rules a policy marks `fail`.
public enum GateDecision {
    public static func exitCode(_ assessment: Assessment, profiles requested: [String], policy: Policy = Policy(), strict: Bool = false) -> Int32 {
        var required = requested
        for id in policy.profiles where !required.contains(id) { required.append(id) }
        if required.isEmpty { required = ["vm-host"] }
        let chosen = assessment.profiles.filter { required.contains($0.id) }
        let rules = assessment.findings.filter { policy.requiredRules.contains($0.id) }
        let statuses = chosen.map(\.status) + rules.map(\.status)
        if statuses.contains(.fail) { return 1 }
        if statuses.contains(.unknown) { return strict || policy.strict ? 1 : 3 }
        return 0
    }
}
