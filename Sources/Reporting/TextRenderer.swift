import Analysis
import FoundationEssentials
import Glibc
import HostModel

/// The terminal report: the verdict first, in plain words, then what it rests on. Colour and
/// symbols only on a TTY; `quiet` keeps only what is not `pass` (failures always print).
public struct TextRenderer: ReportRenderer {
    public var color: Bool
    public var quiet: Bool

    public init(color: Bool, quiet: Bool) {
        self.color = color
        self.quiet = quiet
    }

    public func render(_ r: Report) -> String {
        var out: [String] = []
        let v = r.verdict
        let verdictStatus: FindingStatus = v.canRunVms == true ? .pass : v.canRunVms == false ? .fail : .unknown
        out.append("\(mark(verdictStatus)) \(bold("Can this host run accelerated VMs?")) \(Sanitize.line(v.summary))")
        out.append("  acceleration: \(v.acceleration.rawValue)")
        if !quiet {
            out.append("")
            out.append(bold("Host"))
            let id = [r.host.vendor, r.host.family.map { "family \($0)" }, r.host.model.map { "model \($0)" },
                      r.host.stepping.map { "stepping \($0)" }].compactMap { $0 }.joined(separator: ", ")
            out.append("  CPU:        \(Sanitize.line(r.host.brand ?? "unknown brand")) (\(id.isEmpty ? "identity unknown" : id))")
            out.append("  CPUs:       \(r.host.logicalCpus.map(String.init) ?? "unknown") logical")
            let hv = r.host.hypervisor
            out.append("  hypervisor: \(hv.present ? "yes, \(Sanitize.line(hv.name ?? hv.signature ?? "unknown signature"))" : "none (bare metal, or hidden)")")
            if let kernel = r.host.kernel { out.append("  kernel:     \(Sanitize.line(kernel))") }
            out.append("  source:     \(r.source.kind.rawValue)\(r.source.paths.isEmpty ? "" : " " + r.source.paths.map { Sanitize.line($0) }.joined(separator: ", "))")
            out.append("")
            out.append(bold("KVM"))
            out.append("  /dev/kvm:   \(yesNo(r.kvm.device.present, yes: "present", no: "absent"))\(r.kvm.device.accessible == false ? " (not accessible to this user)" : "")")
            out.append("  backend:    \(Sanitize.line(r.kvm.backend ?? "none loaded"))    API: \(r.kvm.apiVersion.map(String.init) ?? "unknown")")
            if let run = r.kvm.guestRun {
                out.append("  guest run:  \(run.ok ? "ok" : "FAILED") — modes \(run.runs.map { "\(Sanitize.line($0.mode)) \($0.ok ? "ok" : "failed")" }.joined(separator: ", "))\(run.timedOut ? " (timed out)" : "")")
                if let u = run.exitLatencyNs?.userspace {
                    out.append("  exit latency, to userspace (OUT):   median \(ns(u.median)) (p10 \(u.p10.map(ns) ?? "-"), p90 \(u.p90.map(ns) ?? "-"), \(u.samples) exits)")
                }
                if let k = run.exitLatencyNs?.inKernel {
                    out.append("  exit latency, in kernel (CPUID):    median \(ns(k.median)) (\(k.samples) exits)")
                }
                if let nested = run.nestedRun {
                    out.append("  nested run: \(nested.ok ? "ok" : "FAILED") — \(nested.architecture.uppercased()), \(nested.rounds.count) of "
                               + "\(nested.roundsPlanned) VMRUN/#VMEXIT round trips\(nested.error.map { ": " + Sanitize.line($0) } ?? "")")
                }
                for nested in run.legacyModeNestedRuns ?? [] {
                    out.append("  nested run, L1 \(Sanitize.line(nested.l1 ?? "32-bit")): \(nested.ok ? "ok" : "FAILED") — \(nested.rounds.count) of "
                               + "\(nested.roundsPlanned) round trips\(nested.error.map { ": " + Sanitize.line($0) } ?? "")")
                }
            } else {
                out.append("  guest run:  not run")
            }
        }
        if !quiet {
            out.append("")
            out.append(bold("IOMMU and device passthrough"))
            out += PassthroughTable.lines(iommu: r.iommu, pci: r.pci).map { "  " + Sanitize.line($0, limit: 400) }
        }
        out.append("")
        out.append(bold("Findings"))
        var fixesShown: [String: String] = [:]
        for f in r.findings where !quiet || (f.status != .pass && f.status != .notApplicable) {
            let subject = f.subject.map { " [\(Sanitize.line($0))]" } ?? ""
            out.append("  \(mark(f.status)) \(f.id)\(subject): \(Sanitize.line(f.summary))")
            if f.status != .pass && f.status != .notApplicable, let fix = f.remediation {
                // Per-device findings often share one remedy: print it once, point back after.
                if let first = fixesShown[fix] {
                    out.append("      fix: same as for \(first)")
                } else {
                    fixesShown[fix] = f.id + subject
                    out.append("      fix: \(Sanitize.line(fix))")
                }
            }
        }
        out.append("")
        out.append(bold("Profiles") + " (status: everything the profile needs; CPU: its CPU-side needs alone)")
        let shown = r.profiles.filter { !quiet || $0.status != .pass }
        let width = max(7, shown.map(\.id.count).max() ?? 0)
        out.append("  \("profile".padded(to: width))  \(cell("status"))  \(cell("CPU"))  why not")
        for p in shown {
            var why: [String] = []
            if !p.failed.isEmpty { why.append("failed: \(p.failed.joined(separator: ", "))") }
            if !p.unknown.isEmpty { why.append("unknown: \(p.unknown.joined(separator: ", "))") }
            if let via = p.via { why.append("through: \(via.joined(separator: ", "))") }
            out.append("  \(p.id.padded(to: width))  \(cell(p.status))  \(cell(p.cpu))  \(why.joined(separator: "; "))")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A fixed-width matrix cell, so the columns line up with or without colour.
    func cell(_ s: FindingStatus) -> String {
        let word = s == .notApplicable ? "n/a" : s.rawValue
        return mark(s) + String(repeating: " ", count: max(0, 9 - (color ? 1 : mark(s).count))) + (color ? " " + word.padded(to: 7) : "")
    }

    func cell(_ header: String) -> String {
        header.padded(to: color ? 10 : 9)
    }

    func ns(_ value: Double) -> String {
        value >= 10_000 ? "\(Int((value / 1000).rounded())) µs" : "\(Int(value.rounded())) ns"
    }

    func yesNo(_ b: Bool?, yes: String, no: String) -> String { b.map { $0 ? yes : no } ?? "unknown" }

    func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }

    /// `[PASS]`-style words when piped (grep-able), coloured symbols on a terminal.
    func mark(_ s: FindingStatus) -> String {
        guard color else {
            return switch s {
            case .pass: "[PASS]"
            case .warn: "[WARN]"
            case .fail: "[FAIL]"
            case .unknown: "[UNKNOWN]"
            case .notApplicable: "[N/A]"
            }
        }
        return switch s {
        case .pass: "\u{1B}[32m✔\u{1B}[0m"
        case .warn: "\u{1B}[33m!\u{1B}[0m"
        case .fail: "\u{1B}[31m✘\u{1B}[0m"
        case .unknown: "\u{1B}[36m?\u{1B}[0m"
        case .notApplicable: "\u{1B}[2m–\u{1B}[0m"
        }
    }
}
