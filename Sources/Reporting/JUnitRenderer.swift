import Foundation
import HostModel

/// JUnit XML, so a CI system shows the host's checks as tests: one testcase per finding (`fail`
/// is a failure, `unknown` and `not-applicable` are skipped with the reason, `warn` passes with
/// the warning in system-out), and per profile a testsuite whose cases are the profile, its CPU
/// side, and each requirement it failed or could not judge.
public struct JUnitRenderer: Sendable {
    public var timestamp: Date

    public init(timestamp: Date) { self.timestamp = timestamp }

    struct Case {
        var classname: String
        var name: String
        var status: FindingStatus
        var message: String
        var detail: String
    }

    public func render(_ r: Report) -> String {
        let findingCases = r.findings.map { f in
            Case(classname: "virtcheck.\(f.id.split(separator: ".").first ?? "")", name: f.id + (f.subject.map { " [\($0)]" } ?? ""),
                 status: f.status, message: f.summary, detail: JUnitRenderer.detail(f))
        }
        var suites = [suite("findings", findingCases, properties: [
            ("can_run_vms", r.verdict.canRunVms.map { $0 ? "true" : "false" } ?? "unknown"),
            ("acceleration", r.verdict.acceleration.rawValue),
            ("verdict", r.verdict.summary),
            ("source", r.source.kind.rawValue),
        ])]
        for p in r.profiles {
            var cases = [
                Case(classname: "virtcheck.profile.\(p.id)", name: "profile \(p.id)", status: p.status,
                     message: JUnitRenderer.profileMessage(p), detail: ""),
                Case(classname: "virtcheck.profile.\(p.id)", name: "profile \(p.id) (CPU side)", status: p.cpu,
                     message: "The CPU-side requirements of \(p.id): \(p.cpu.rawValue).", detail: ""),
            ]
            for (ids, status) in [(p.failed, FindingStatus.fail), (p.unknown, .unknown)] {
                for id in ids {
                    let f = r.findings.first { $0.id == id && $0.subject == nil }
                    cases.append(Case(classname: "virtcheck.profile.\(p.id)", name: id, status: status,
                                      message: f?.summary ?? "\(id) is \(status.rawValue)", detail: f.map(JUnitRenderer.detail) ?? ""))
                }
            }
            suites.append(suite("profile \(p.id)", cases, properties: []))
        }
        let all = findingCases.count + suites.dropFirst().map(\.tests).reduce(0, +)
        let failures = suites.map(\.failures).reduce(0, +), skipped = suites.map(\.skipped).reduce(0, +)
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="virtcheck" tests="\(all)" failures="\(failures)" errors="0" skipped="\(skipped)" timestamp="\(stamp)">
        \(suites.map(\.xml).joined())</testsuites>

        """
    }

    var stamp: String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return f.string(from: timestamp)
    }

    func suite(_ name: String, _ cases: [Case], properties: [(String, String)]) -> (xml: String, tests: Int, failures: Int, skipped: Int) {
        let failures = cases.filter { $0.status == .fail }.count
        let skipped = cases.filter { $0.status == .unknown || $0.status == .notApplicable }.count
        var xml = "  <testsuite name=\"\(JUnitRenderer.escape(name))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" timestamp=\"\(stamp)\">\n"
        if !properties.isEmpty {
            xml += "    <properties>\n"
            for (k, v) in properties { xml += "      <property name=\"\(JUnitRenderer.escape(k))\" value=\"\(JUnitRenderer.escape(v))\"/>\n" }
            xml += "    </properties>\n"
        }
        for c in cases {
            xml += "    <testcase classname=\"\(JUnitRenderer.escape(c.classname))\" name=\"\(JUnitRenderer.escape(c.name))\" time=\"0\">\n"
            switch c.status {
            case .fail: xml += "      <failure message=\"\(JUnitRenderer.escape(c.message))\" type=\"fail\">\(JUnitRenderer.escape(c.detail, attribute: false))</failure>\n"
            case .unknown: xml += "      <skipped message=\"\(JUnitRenderer.escape("unknown: " + c.message))\"/>\n"
            case .notApplicable: xml += "      <skipped message=\"\(JUnitRenderer.escape("not applicable: " + c.message))\"/>\n"
            case .warn: xml += "      <system-out>\(JUnitRenderer.escape("warning: " + c.message + "\n" + c.detail, attribute: false))</system-out>\n"
            case .pass: if !c.detail.isEmpty { xml += "      <system-out>\(JUnitRenderer.escape(c.detail, attribute: false))</system-out>\n" }
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
