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
        var onCpu: OnCPUReport?
        var notRun: VerificationNotRun?
    }

    private struct Differential: Encodable {
        var backend: String?
        var results: [DifferentialResult]
    }

    public static func json(_ report: VerificationReport) throws -> String {
        try ReportEncoder.serialized(Document(verification: report)) + "\n"
    }

    public static func json(_ results: [DifferentialResult], backend: String?) throws -> String {
        try ReportEncoder.serialized(Document(differential: Differential(backend: backend, results: results))) + "\n"
    }

    public static func json(_ report: OnCPUReport) throws -> String {
        try ReportEncoder.serialized(Document(onCpu: report)) + "\n"
    }

    public static func json(_ notRun: VerificationNotRun) throws -> String {
        try ReportEncoder.serialized(Document(notRun: notRun)) + "\n"
    }

    public static func text(_ notRun: VerificationNotRun) -> String {
        let what = switch notRun.mode {
        case .onCPU: "VMX/SVM vectors as guest code through KVM"
        case .againstKVM: "x86 guest-code interpreter vs. a real KVM guest"
        }
        return "\(what): not run (unknown): \(Sanitize.line(notRun.reason))\n"
    }

    /// `--on-cpu`: the counts first, then every disagreement with its citation, then what could
    /// not be expressed as guest code and why.
    public static func text(_ report: OnCPUReport) -> String {
        var out = "\(report.architecture.uppercased()) vectors as guest code through KVM (\(Sanitize.line(report.backend ?? "backend unknown")))\n"
        out += "  guest model: \(Sanitize.line(report.guestModel))\n"
        out += "  vectors run: \(report.run), agree: \(report.agree), disagree: \(report.disagree) (\(report.unexplained) unexplained); "
            + "not expressible as guest code: \(report.notExpressible.count)\n"
        let fields = report.results.flatMap(\.fields)
        out += "  then-state fields compared: \(fields.count), agree: \(fields.filter(\.agrees).count); "
            + "not observable as guest state: \(report.results.map(\.unobserved.count).reduce(0, +))\n"
        for r in report.results where !r.agrees {
            if r.model != r.observed {
                out += "  \(r.knownDeviation == nil ? "DISAGREE" : "KNOWN") \(r.vector) (\(r.instruction)): model \(r.model), guest \(r.observed ?? "no outcome") "
                    + "(\(Sanitize.line(r.detail))); a deviation of the L0 hypervisor or CPU from \(Sanitize.line(r.citation)) [\(r.file):\(r.line)]\n"
                if let known = r.knownDeviation { out += "    explained: \(Sanitize.line(known))\n" }
            }
            for f in r.fields where !f.agrees {
                out += "  \(f.knownDeviation == nil ? "DISAGREE" : "KNOWN") \(r.vector) (\(r.instruction)) \(Sanitize.line(f.field)): model \(Sanitize.line(f.model)), "
                    + "guest \(Sanitize.line(f.observed)); a deviation of the L0 hypervisor or CPU from \(Sanitize.line(r.citation)) [\(r.file):\(r.line)]\n"
                if let known = f.knownDeviation { out += "    explained: \(Sanitize.line(known))\n" }
            }
        }
        if !report.notExpressible.isEmpty {
            out += "  not expressible as guest code:\n"
            for n in report.notExpressible { out += "    \(n.vector): \(Sanitize.line(n.reason))\n" }
        }
        return out
    }

    public static func text(_ report: VerificationReport) -> String {
        var out = "VMX/SVM instruction model vs. SDM/APM conformance vectors\n"
        out += "configuration: \(report.configuration)\n\n"
        for summary in report.instructions where summary.vectors > 0 {
            let mark = summary.passed == summary.vectors ? "ok  " : "FAIL"
            out += "\(mark) \(summary.instruction.rawValue.padded(to: 9)) \(summary.passed)/\(summary.vectors)\n"
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
            out += "\(r.agrees ? "agree" : r.knownDeviation != nil ? "known" : "DIFF ") \(r.program.padded(to: 18)) \(r.instruction.padded(to: 14)) exits: \(r.exits.joined(separator: ", "))\n"
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
