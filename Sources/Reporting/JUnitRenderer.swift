import Analysis
import FoundationEssentials
import Glibc
import HostModel

/// JUnit XML, so a CI system shows the host's checks as tests: one testcase per finding, and
/// per profile a testsuite whose cases are the profile, its CPU side, and each requirement it
/// failed or could not judge.
///
/// Only what the gate requires can fail (`GateDecision`: the `--profile`s, the policy's profiles
/// and rules): Jenkins and GitLab mark a job failed on any `<failure>`, so a failure the exit code
/// does not share would fail a job the gate passed. A required `fail` is a failure (and a required
/// `unknown` under `--strict`); a `fail` nothing requires is skipped with `not required: fail:` as
/// its message; `unknown` and `not-applicable` are skipped with the reason; `warn` passes with the
/// warning in system-out. Each suite's properties say what was required and the exit code.
public struct JUnitRenderer: ReportRenderer {
    public var timestamp: Date

    public init(timestamp: Date) { self.timestamp = timestamp }

    struct Case {
        var classname: String
        var name: String
        var status: FindingStatus
        /// Whether the gate requires this check, i.e. whether its status can fail the suite.
        var required: Bool
        var message: String
        var detail: String
    }

    /// How one case reads in JUnit.
    enum Outcome {
        case passed, warned, failure, skipped
    }

    public func render(_ r: Report) -> String {
        let gate = r.gate
        let findingCases = r.findings.map { f in
            Case(classname: "virtcheck.\(f.id.split(ascii: ".").first ?? "")", name: f.id + (f.subject.map { " [\($0)]" } ?? ""),
                 status: f.status, required: gate.requires(f, profiles: r.profiles), message: f.summary, detail: JUnitRenderer.detail(f))
        }
        var suites = [suite("findings", findingCases, gate: gate, properties: [
            ("can_run_vms", r.verdict.canRunVms.map { $0 ? "true" : "false" } ?? "unknown"),
            ("acceleration", r.verdict.acceleration.rawValue),
            ("verdict", r.verdict.summary),
            ("source", r.source.kind.rawValue),
            ("required_profiles", gate.requiredProfiles.joined(separator: " ")),
            ("required_rules", gate.requiredRules.joined(separator: " ")),
            ("strict", gate.strict ? "true" : "false"),
            ("exit_code", String(gate.exitCode)),
        ])]
        for p in r.profiles {
            let required = gate.requires(profile: p.id)
            var cases = [
                Case(classname: "virtcheck.profile.\(p.id)", name: "profile \(p.id)", status: p.status, required: required,
                     message: JUnitRenderer.profileMessage(p), detail: ""),
                // The CPU side decides the gate only through the profile's own status (a guest
                // that ran can prove the CPU whatever the CPU-side rules say).
                Case(classname: "virtcheck.profile.\(p.id)", name: "profile \(p.id) (CPU side)", status: p.cpu,
                     required: required && gate.fails(p.status),
                     message: "The CPU-side requirements of \(p.id): \(p.cpu.rawValue).", detail: ""),
            ]
            for (ids, status) in [(p.failed, FindingStatus.fail), (p.unknown, .unknown)] {
                for id in ids {
                    let f = r.findings.first { $0.id == id && $0.subject == nil }
                    cases.append(Case(classname: "virtcheck.profile.\(p.id)", name: id, status: status, required: required,
                                      message: f?.summary ?? "\(id) is \(status.rawValue)", detail: f.map(JUnitRenderer.detail) ?? ""))
                }
            }
            suites.append(suite("profile \(p.id)", cases, gate: gate, properties: [("required", required ? "true" : "false")]))
        }
        let all = findingCases.count + suites.dropFirst().map(\.tests).reduce(0, +)
        let failures = suites.map(\.failures).reduce(0, +), skipped = suites.map(\.skipped).reduce(0, +)
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="virtcheck" tests="\(all)" failures="\(failures)" errors="0" skipped="\(skipped)" timestamp="\(stamp)">
        \(suites.map(\.xml).joined())</testsuites>

        """
    }

    /// JUnit's schema types `timestamp` as an ISO 8601 date and time without a zone (UTC here).
    var stamp: String { String(UTCTimestamp.iso8601(timestamp).dropLast()) }

    /// A required check fails the suite exactly when it fails the gate; a failure nothing
    /// requires is reported as skipped, so its status shows without failing the job.
    func outcome(_ c: Case, gate: GateDecision) -> Outcome {
        if c.required && gate.fails(c.status) { return .failure }
        return switch c.status {
        case .fail, .unknown, .notApplicable: .skipped
        case .warn: .warned
        case .pass: .passed
        }
    }

    func suite(_ name: String, _ cases: [Case], gate: GateDecision, properties: [(String, String)]) -> (xml: String, tests: Int, failures: Int, skipped: Int) {
        let outcomes = cases.map { outcome($0, gate: gate) }
        let failures = outcomes.filter { $0 == .failure }.count
        let skipped = outcomes.filter { $0 == .skipped }.count
        var xml = "  <testsuite name=\"\(JUnitRenderer.escape(name))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" timestamp=\"\(stamp)\">\n"
        if !properties.isEmpty {
            xml += "    <properties>\n"
            for (k, v) in properties { xml += "      <property name=\"\(JUnitRenderer.escape(k))\" value=\"\(JUnitRenderer.escape(v))\"/>\n" }
            xml += "    </properties>\n"
        }
        for (c, outcome) in zip(cases, outcomes) {
            xml += "    <testcase classname=\"\(JUnitRenderer.escape(c.classname))\" name=\"\(JUnitRenderer.escape(c.name))\" time=\"0\">\n"
            switch (outcome, c.status) {
            case (.failure, _):
                let prefix = c.status == .unknown ? "unknown, required under --strict: " : ""
                xml += "      <failure message=\"\(JUnitRenderer.escape(prefix + c.message))\" type=\"\(c.status.rawValue)\">\(JUnitRenderer.escape(c.detail, attribute: false))</failure>\n"
            case (.skipped, .fail):
                xml += "      <skipped message=\"\(JUnitRenderer.escape("not required: fail: " + c.message))\"/>\n"
                if !c.detail.isEmpty { xml += "      <system-out>\(JUnitRenderer.escape(c.detail, attribute: false))</system-out>\n" }
            case (.skipped, .notApplicable):
                xml += "      <skipped message=\"\(JUnitRenderer.escape("not applicable: " + c.message))\"/>\n"
            case (.skipped, _):
                xml += "      <skipped message=\"\(JUnitRenderer.escape("unknown: " + c.message))\"/>\n"
            case (.warned, _):
                xml += "      <system-out>\(JUnitRenderer.escape("warning: " + c.message + "\n" + c.detail, attribute: false))</system-out>\n"
            case (.passed, _):
                if !c.detail.isEmpty { xml += "      <system-out>\(JUnitRenderer.escape(c.detail, attribute: false))</system-out>\n" }
            }
            xml += "    </testcase>\n"
        }
        return (xml + "  </testsuite>\n", cases.count, failures, skipped)
    }

    static func profileMessage(_ p: ProfileResult) -> String {
        var parts = ["Profile \(p.id): \(p.status.rawValue)."]
        if !p.failed.isEmpty { parts.append("Failed: \(p.failed.joined(separator: ", ")).") }
        if !p.unknown.isEmpty { parts.append("Unknown (missing evidence): \(p.unknown.joined(separator: ", ")).") }
        return parts.joined(separator: " ")
    }

    static func detail(_ f: Finding) -> String {
        var lines = [f.title]
        lines += f.evidence.map { "evidence: \($0.source): \($0.detail)" }
        if let fix = f.remediation { lines.append("fix: \(fix)") }
        return lines.joined(separator: "\n")
    }

    /// XML text and attribute escaping. Characters XML 1.0 cannot carry at all (most C0 controls)
    /// become U+FFFD, and very long strings are cut, so hostile input still gives a parseable file.
    /// In attributes, newlines and tabs are written as character references, which XML keeps
    /// (a literal one would be normalised to a space).
    static func escape(_ s: String, attribute: Bool = true) -> String {
        var out = ""
        var count = 0
        for scalar in s.unicodeScalars {
            count += 1
            if count > 4000 { continue }
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t": out += attribute ? "&#\(scalar.value);" : String(scalar)
            default:
                let allowed = !InputText.isInert(scalar) && scalar.value != 0xFFFE && scalar.value != 0xFFFF
                out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        if count > 4000 { out += "… (\(count - 4000) more characters)" }
        return out
    }
}
