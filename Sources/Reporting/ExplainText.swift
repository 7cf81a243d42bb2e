import FoundationEssentials
import Glibc
import Analysis
import HostModel

/// The words of `virtcheck explain`, from the catalogue and the profiles: plain text, wrapped
/// only where the data has paragraph breaks, so it reads the same in a terminal and in a pipe.
public enum ExplainText {
    public static func rule(_ r: RuleDefinition, requiredBy profiles: [String]) -> String {
        var out = ["\(r.id) — \(r.title)", "  family: \(r.family), decided by: \(r.side == .cpu ? "the CPU (a CPUID dump can answer)" : "the host (firmware, kernel, KVM)")", ""]
        out += ["What it checks:", indent(r.checks), "", "Why it matters:", indent(r.why), ""]
        if !profiles.isEmpty { out += ["Required by profiles: \(profiles.joined(separator: ", "))", ""] }
        if !r.remediation.isEmpty {
            out.append("How to fix it, by situation:")
            for key in r.remediation.keys.sorted() {
                out.append("  \(key):")
                out.append(indent(r.remediation[key] ?? "", by: 4))
            }
            out.append("")
        }
        out.append("Evidence it reads (the live probe collects each, `kernel-log` lines aside, which come from a pasted dmesg; offline, give them with --from):")
        out += r.evidence.map { "  - \($0)" }
        out.append("")
        out.append("Sources:")
        out += r.sources.map { "  - \($0)" }
        return out.joined(separator: "\n") + "\n"
    }

    public static func profile(_ p: ProfileDefinition, _ catalogue: RuleCatalogue) -> String {
        var out = ["profile \(p.id) — \(p.title)", "", "Why:", indent(p.why), "", "Requires (each line: any one of its rules):"]
        for r in p.requires {
            let names = r.any.map { id in "\(id) (\(catalogue.rule(id)?.title ?? "?"))" }.joined(separator: " or ")
            let via = (r.via ?? []).map { id in "\(id) (\(catalogue.rule(id)?.title ?? "?"))" }.joined(separator: " or ")
            out.append("  [\(r.side.rawValue)] \(names)\(via.isEmpty ? "" : "; or through \(via)")\(r.why.map { " — \($0)" } ?? "")")
        }
        if p.requires.isEmpty { out.append("  nothing: always possible") }
        if let proof = p.cpuProvenBy {
            out += ["", "When \(proof) passes, the CPU-side requirements stop counting against the status (a guest that ran is proof);",
                    "the profile's `cpu` verdict still reports them."]
        }
        out += ["", "Sources:"] + p.sources.map { "  - \($0)" }
        return out.joined(separator: "\n") + "\n"
    }

    public static func list(_ catalogue: RuleCatalogue, profiles: [ProfileDefinition]) -> String {
        let width = (catalogue.ids + profiles.map(\.id)).map(\.count).max() ?? 0
        var out = ["Rules:"]
        out += catalogue.rules.map { "  \($0.id.padded(to: width))  \($0.title)" }
        out += ["", "Profiles:"]
        out += profiles.map { "  \($0.id.padded(to: width))  \($0.title)" }
        return out.joined(separator: "\n") + "\n"
    }

    static func indent(_ text: String, by n: Int = 2) -> String {
        let pad = String(repeating: " ", count: n)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
    }
}
