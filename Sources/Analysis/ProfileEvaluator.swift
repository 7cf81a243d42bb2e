import HostModel

/// Evaluates profiles: sets of rules a host must pass for one use. A requirement is a group of
/// rule ids of which one passing is enough (`cpu.vmx` or `cpu.svm`). `cpu` judges the
/// CPU-side groups alone, so a `cpuid -r` dump still says whether the CPU could.
public enum ProfileEvaluator {
    public struct Profile: Sendable {
        public var id: String
        public var requires: [[String]]
        public var cpuRequires: [[String]]
    }

    /// Profiles of this build. `vm-host` needs the proof by execution; the CPU side is VT-x or AMD-V.
    public static let profiles: [Profile] = [
        Profile(id: "vm-host", requires: [["kvm.guest-run"]], cpuRequires: [["cpu.vmx", "cpu.svm"]]),
        Profile(id: "kvm", requires: [["kvm.device"], ["kvm.api"], ["kvm.guest-run"]], cpuRequires: [["cpu.vmx", "cpu.svm"]]),
        Profile(id: "nested", requires: [["kvm.guest-run"], ["kvm.nested"]], cpuRequires: [["cpu.vmx", "cpu.svm"]]),
    ]

    public static func evaluate(_ findings: [Finding]) -> [ProfileResult] {
        profiles.map { evaluate($0, findings) }
    }

    static func evaluate(_ p: Profile, _ findings: [Finding]) -> ProfileResult {
        func status(of group: [String]) -> FindingStatus {
            let statuses = group.compactMap { id in findings.first { $0.id == id && $0.subject == nil }?.status }
            if statuses.contains(.pass) { return .pass }
            if statuses.contains(.unknown) || statuses.isEmpty { return .unknown }
            return .fail
        }
        var failed: [String] = [], unknown: [String] = []
        for group in p.requires {
            switch status(of: group) {
            case .fail: failed += group
            case .unknown: unknown += group
            default: break
            }
        }
        let cpuStatuses = p.cpuRequires.map(status(of:))
        let cpu: FindingStatus = cpuStatuses.contains(.fail) ? .fail : cpuStatuses.contains(.unknown) ? .unknown : .pass
        let overall: FindingStatus = !failed.isEmpty ? .fail : !unknown.isEmpty ? .unknown : .pass
        return ProfileResult(id: p.id, status: overall, cpu: cpu, failed: failed, unknown: unknown)
    }
}
