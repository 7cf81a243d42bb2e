import FoundationEssentials
import Glibc
import HostModel

/// Evaluates profiles over findings (DESIGN.md "Profiles"): a profile fails when any requirement
/// fails, passes when all pass, else is unknown; `cpu` judges the CPU-side requirements alone,
/// so a CPUID dump still says whether the CPU could.
///
/// A requirement is satisfied when one of its rules passes or warns. Rules that do not apply to
/// this CPU (`cpu.svm` on Intel) drop out of it; if all drop out, it is satisfied. A rule with no
/// finding (a family that did not run) counts as unknown, never as a pass.
public enum ProfileEvaluator {
    /// The profiles of this build, compiled from `Data/rules/profiles.yaml` at build time (the
    /// RuleTables plugin), so no run decodes YAML.
    public static let profiles = CompiledRuleTables.profiles

    public static func profile(_ id: String) -> ProfileDefinition? {
        profiles.first { $0.id == id }
    }

    /// `ignoring`: rules a policy ignores; they count as not-applicable even where no finding
    /// exists (a rule family that did not run).
    public static func evaluate(_ findings: [Finding], ignoring: Set<String> = []) -> [ProfileResult] {
        profiles.map { evaluate($0, findings, ignoring: ignoring) }
    }

    public static func evaluate(_ p: ProfileDefinition, _ findings: [Finding], ignoring: Set<String> = []) -> ProfileResult {
        var failed: [String] = [], unknown: [String] = [], via: [String] = []
        var cpuStatuses: [FindingStatus] = []
        for requirement in p.requires {
            var (status, members) = status(of: requirement.any, findings, ignoring: ignoring)
            if status != .pass, let alternatives = requirement.via {
                let (viaStatus, viaMembers) = group(alternatives, findings, ignoring: ignoring)
                switch viaStatus {
                case .pass?:
                    (status, members) = (.pass, [])
                    via += viaMembers.filter { id in findings.contains { $0.id == id && $0.subject == nil && [.pass, .warn].contains($0.status) } }
                case .unknown? where status == .fail:
                    (status, members) = (.unknown, viaMembers)
                case .fail? where status == .fail:
                    members += viaMembers
                default: break
                }
            }
            if requirement.side == .cpu {
                cpuStatuses.append(status)
                if p.cpuProvenBy != nil { continue }
            }
            switch status {
            case .fail: failed += members
            case .unknown: unknown += members
            default: break
            }
        }
        let cpu: FindingStatus = cpuStatuses.contains(.fail) ? .fail : cpuStatuses.contains(.unknown) ? .unknown : .pass
        let overall: FindingStatus = !failed.isEmpty ? .fail : !unknown.isEmpty ? .unknown : .pass
        return ProfileResult(id: p.id, status: overall, cpu: cpu, failed: unique(failed), unknown: unique(unknown),
                             via: via.isEmpty ? nil : unique(via))
    }

    /// A requirement's status and the rules that decided it (not-applicable ones left out); a
    /// requirement whose rules are all not-applicable is satisfied.
    static func status(of rules: [String], _ findings: [Finding], ignoring: Set<String> = []) -> (status: FindingStatus, members: [String]) {
        let (status, members) = group(rules, findings, ignoring: ignoring)
        return (status ?? .pass, members)
    }

    /// A group's status and deciding rules; nil when every rule is not-applicable (`via`
    /// alternatives then simply do not apply).
    static func group(_ group: [String], _ findings: [Finding], ignoring: Set<String>) -> (status: FindingStatus?, members: [String]) {
        let statuses = group.map { id in
            (id, ignoring.contains(id) ? .notApplicable : findings.first { $0.id == id && $0.subject == nil }?.status ?? .unknown)
        }
        let applicable = statuses.filter { $0.1 != .notApplicable }
        if applicable.isEmpty { return (nil, []) }
        let members = applicable.map(\.0)
        if applicable.contains(where: { $0.1 == .pass || $0.1 == .warn }) { return (.pass, members) }
        if applicable.contains(where: { $0.1 == .unknown }) { return (.unknown, applicable.filter { $0.1 == .unknown }.map(\.0)) }
        return (.fail, members)
    }

    static func unique(_ ids: [String]) -> [String] {
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }
}
