import HostModel

/// Turns an assessment into the contract exit code (DESIGN.md "Exit codes"): 1 when a required
/// check fails, 3 when one lacks evidence (1 when strict), else 0. Required checks are the
/// requested profiles (default `vm-host`) plus the rules a policy marks `fail`.
///
/// Every output that can gate a job (the exit code, JUnit failures) asks this one value which
/// checks are required, so a CI system reading the JUnit file and one reading the exit code
/// reach the same answer.
public struct GateDecision: Sendable, Hashable, Encodable {
    /// The profiles this run requires: the `--profile`s, then the policy's, else `vm-host`.
    public var requiredProfiles: [String]
    /// Rules a policy requires on their own (`fail` overrides), whatever the profiles need.
    public var requiredRules: [String]
    /// Whether a required check that lacks evidence counts as failed (`--strict` or the policy's).
    public var strict: Bool
    /// The exit code `check` ends with.
    public var exitCode: Int32

    public init(_ assessment: Assessment, profiles requested: [String], policy: Policy = Policy(), strict: Bool = false) {
        var required = requested
        for id in policy.profiles where !required.contains(id) { required.append(id) }
        if required.isEmpty { required = ["vm-host"] }
        requiredProfiles = required
        requiredRules = policy.requiredRules
        self.strict = strict || policy.strict
        exitCode = 0
        let chosen = assessment.profiles.filter { required.contains($0.id) }
        let rules = assessment.findings.filter { requiredRules.contains($0.id) }
        let statuses = chosen.map(\.status) + rules.map(\.status)
        if statuses.contains(.fail) {
            exitCode = 1
        } else if statuses.contains(.unknown) {
            exitCode = self.strict ? 1 : 3
        }
    }

    public static func exitCode(_ assessment: Assessment, profiles requested: [String], policy: Policy = Policy(), strict: Bool = false) -> Int32 {
        GateDecision(assessment, profiles: requested, policy: policy, strict: strict).exitCode
    }

    /// Whether a required check with this status fails the gate (exit 1).
    public func fails(_ status: FindingStatus) -> Bool {
        status == .fail || (status == .unknown && strict)
    }

    public func requires(profile id: String) -> Bool { requiredProfiles.contains(id) }

    /// Whether this finding decides the gate: a policy-required rule, or a host-wide finding a
    /// required profile failed or could not judge because of it.
    public func requires(_ finding: Finding, profiles: [ProfileResult]) -> Bool {
        if requiredRules.contains(finding.id) { return true }
        guard finding.subject == nil else { return false }
        return profiles.contains { requires(profile: $0.id) && ($0.failed.contains(finding.id) || $0.unknown.contains(finding.id)) }
    }
}
