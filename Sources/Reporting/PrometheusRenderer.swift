import FoundationEssentials
import Glibc
import HostModel

/// Metrics for node_exporter's textfile collector (`--collector.textfile.directory`), so a fleet's
/// dashboards and alerts see which hosts can run VMs. Statuses are state sets (one series per
/// possible status, 1 for the current one), the idiom that lets an alert say
/// `virtcheck_profile_status{profile="vm-host",status="fail"} == 1` and a graph show changes.
public struct PrometheusRenderer: ReportRenderer {
    public var timestamp: Date

    public init(timestamp: Date) { self.timestamp = timestamp }

    public func render(_ r: Report) -> String {
        var out: [String] = []
        func family(_ name: String, _ help: String, _ samples: [String]) {
            out.append("# HELP \(name) \(help)")
            out.append("# TYPE \(name) gauge")
            out += samples
        }
        let info = [
            ("version", r.tool.version), ("source", r.source.kind.rawValue), ("vendor", r.host.vendor ?? ""),
            ("brand", r.host.brand ?? ""), ("kernel", r.host.kernel ?? ""), ("backend", r.kvm.backend ?? ""),
            ("hypervisor", r.host.hypervisor.present ? (r.host.hypervisor.name ?? r.host.hypervisor.signature ?? "unknown") : ""),
        ]
        family("virtcheck_info", "Identity of the tool and host of the last virtcheck run; the value is always 1.",
               ["virtcheck_info\(labels(info)) 1"])
        let can = r.verdict.canRunVms.map { $0 ? "yes" : "no" } ?? "unknown"
        family("virtcheck_can_run_vms", "Whether this host can run accelerated VMs (state set: yes, no, unknown).",
               ["yes", "no", "unknown"].map { "virtcheck_can_run_vms\(labels([("state", $0)])) \($0 == can ? 1 : 0)" })
        family("virtcheck_acceleration", "How guests are accelerated (state set: hardware, software-nested, none, unknown).",
               ["hardware", "software-nested", "none", "unknown"].map {
                   "virtcheck_acceleration\(labels([("mode", $0)])) \($0 == r.verdict.acceleration.rawValue ? 1 : 0)"
               })
        family("virtcheck_finding_status", "The status of each rule (state set over pass, warn, fail, unknown, not-applicable); subject is empty for host-wide rules.",
               r.findings.flatMap { f in
                   FindingStatus.allCases.map { s in
                       "virtcheck_finding_status\(labels([("id", f.id), ("subject", f.subject ?? ""), ("status", s.rawValue)])) \(s == f.status ? 1 : 0)"
                   }
               })
        family("virtcheck_profile_status", "Whether the host satisfies each profile (state set over pass, fail, unknown).",
               r.profiles.flatMap { p in
                   ["pass", "fail", "unknown"].map { "virtcheck_profile_status\(labels([("profile", p.id), ("status", $0)])) \($0 == p.status.rawValue ? 1 : 0)" }
               })
        family("virtcheck_profile_cpu_status", "Whether the CPU alone satisfies each profile's CPU requirements (state set over pass, fail, unknown).",
               r.profiles.flatMap { p in
                   ["pass", "fail", "unknown"].map { "virtcheck_profile_cpu_status\(labels([("profile", p.id), ("status", $0)])) \($0 == p.cpu.rawValue ? 1 : 0)" }
               })
        if let run = r.kvm.guestRun {
            family("virtcheck_guest_run_ok", "1 when every test guest mode ran and returned its expected value, else 0.",
                   ["virtcheck_guest_run_ok \(run.ok ? 1 : 0)"])
            let stats = [("userspace", run.exitLatencyNs?.userspace), ("in_kernel", run.exitLatencyNs?.inKernel)].compactMap { k, s in s.map { (k, $0) } }
            if !stats.isEmpty {
                family("virtcheck_guest_exit_latency_seconds", "Round trip of a test guest's exit: to userspace (OUT) or handled in the kernel (CPUID), by statistic.",
                       stats.flatMap { kind, s in
                           [("median", Optional(s.median)), ("p10", s.p10), ("p90", s.p90)].compactMap { stat, v in
                               v.map { "virtcheck_guest_exit_latency_seconds\(labels([("exit", kind), ("stat", stat)])) \(PrometheusRenderer.number($0 / 1e9))" }
                           }
                       })
                family("virtcheck_guest_exit_latency_samples", "How many exits each latency statistic was computed from.",
                       stats.map { kind, s in "virtcheck_guest_exit_latency_samples\(labels([("exit", kind)])) \(s.samples)" })
            }
        }
        family("virtcheck_gate_exit_code", "The exit code of the run that wrote this file: 0 every required check passed, 1 one failed, 3 one lacks evidence.",
               ["virtcheck_gate_exit_code\(labels([("required_profiles", r.gate.requiredProfiles.joined(separator: " ")), ("strict", r.gate.strict ? "true" : "false")])) \(r.gate.exitCode)"])
        family("virtcheck_last_run_timestamp_seconds", "When virtcheck last wrote this file (Unix time).",
               ["virtcheck_last_run_timestamp_seconds \(PrometheusRenderer.number(timestamp.timeIntervalSince1970.rounded()))"])
        return out.joined(separator: "\n") + "\n"
    }

    func labels(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\($0.0)=\"\(PrometheusRenderer.escape($0.1))\"" }.joined(separator: ",") + "}"
    }

    static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    /// A label value as the text format wants it (`\\`, `\"`, `\n` escaped); control characters
    /// become `?` and values are cut at 256 characters, so untrusted strings stay one inert line.
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in Sanitize.line(s, limit: 256).unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
