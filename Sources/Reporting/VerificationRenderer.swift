import Emulator
import HostModel
import Validation

/// `virtcheck verify` output: the instruction model against the SDM/APM vectors, and the
/// `--against-kvm` differential run. JSON goes through `ReportEncoder`, like every command's JSON
/// (snake_case keys, explicit nulls, a `schema_version` and `tool`; Data/schema/verify.schema.json).
public enum VerificationRenderer {
    private struct Document: Encodable {
        var schemaVersion = 1
        var tool = ToolInfo()
        var verification: VerificationReport?
        var differential: Differential?
    }

    private struct Differential: Encodable {
        var backend: String?
        var results: [DifferentialResult]
    }

    public static func json(_ report: VerificationReport) throws -> String {
        try ReportEncoder.encode(Document(verification: report)).serialized() + "\n"
    }

    public static func json(_ results: [DifferentialResult], backend: String?) throws -> String {
        try ReportEncoder.encode(Document(differential: Differential(backend: backend, results: results))).serialized() + "\n"
    }

    public static func text(_ report: VerificationReport) -> String {
        var out = "VMX/SVM instruction model vs. SDM/APM conformance vectors\n"
        out += "configuration: \(report.configuration)\n\n"
        for summary in report.instructions where summary.vectors > 0 {
            let mark = summary.passed == summary.vectors ? "ok  " : "FAIL"
            out += "\(mark) \(summary.instruction.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(summary.passed)/\(summary.vectors)\n"
        }
        // Names, citations and paths come from vector files: untrusted text, shown inert.
        for failure in report.failures {
            out += "\n\(Sanitize.line(failure.file)):\(failure.line): \(Sanitize.line(failure.name)) (\(Sanitize.line(failure.citation)))\n"
            for mismatch in failure.mismatches { out += "    \(Sanitize.line(mismatch))\n" }
        }
        out += "\n\(report.passed)/\(report.vectors) vectors passed\n"
        return out
    }

    public static func text(_ results: [DifferentialResult], backend: String?) -> String {
        var out = "x86 guest-code interpreter vs. a real KVM guest (backend \(backend ?? "unknown"))\n\n"
        for r in results {
            out += "\(r.agrees ? "agree" : r.knownDeviation != nil ? "known" : "DIFF ") \(r.program.padding(toLength: 18, withPad: " ", startingAt: 0)) \(r.instruction.padding(toLength: 14, withPad: " ", startingAt: 0)) exits: \(r.exits.joined(separator: ", "))\n"
            if !r.agrees {
                out += "      reference: \(r.reference)\n"
                for m in r.deviations {
                    out += "      \(m)\n"
                    out += "        \(m.knownDeviation.map { "known deviation: \($0)" } ?? "UNEXPLAINED: no documented deviation names this observation")\n"
                }
            }
        }
        let known = results.filter { $0.knownDeviation != nil }.count
        let mismatches = results.flatMap(\.deviations)
        out += "\n\(results.filter(\.agrees).count)/\(results.count) programs agree; \(known) disagree in a documented \(backend ?? "backend") deviation; "
            + "\(results.filter { !$0.unexplained.isEmpty }.count) unexplained (\(mismatches.count) differences, "
            + "\(mismatches.filter { $0.knownDeviation == nil }.count) of them unexplained)\n"
        return out
    }
}
