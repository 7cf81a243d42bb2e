import FoundationEssentials
import Glibc
import HostModel

/// A feature file for Kubernetes Node Feature Discovery's local source
/// (`/etc/kubernetes/node-feature-discovery/features.d/`), so a scheduler can place VMs only on
/// nodes that proved they run them, e.g. KubeVirt with a nodeSelector `virtcheck.io/kvm: "true"`
/// or an affinity on `virtcheck.io/acceleration In [hardware]`.
///
/// Labels live under `virtcheck.io/` (NFD keeps a given prefix; only `*.kubernetes.io` prefixes
/// are reserved). Values are the report's own words, which all fit Kubernetes' label value syntax.
/// Per-device findings (with a subject) are not labels: they would multiply without bound.
/// The `# +expiry-time` header makes NFD drop the labels if virtcheck stops refreshing the file.
/// NFD ignores dot files, so OutputFile's hidden temporary file and rename keep updates atomic.
public struct NFDRenderer: ReportRenderer {
    public var now: Date
    /// How long the labels stay valid without a new run.
    public static let validity: TimeInterval = 24 * 3600

    public init(now: Date) { self.now = now }

    public static let prefix = "virtcheck.io/"

    public func render(_ r: Report) -> String {
        let expiry = UTCTimestamp.iso8601(now.addingTimeInterval(NFDRenderer.validity))
        var lines = [
            "# virtcheck \(r.tool.version): can this node run VMs? (`virtcheck check --format nfd`)",
            "# +expiry-time=\(expiry)",
        ]
        var labels: [(String, String)] = [
            ("kvm", r.verdict.canRunVms.map { $0 ? "true" : "false" } ?? "unknown"),
            ("acceleration", r.verdict.acceleration.rawValue),
        ]
        labels += r.profiles.map { ("profile.\($0.id)", $0.status.rawValue) }
        labels += r.profiles.map { ("profile-cpu.\($0.id)", $0.cpu.rawValue) }
        labels += r.findings.filter { $0.subject == nil }.map { ($0.id, $0.status.rawValue) }
        for (name, value) in labels {
            if NFDRenderer.isLabelPart(name) && NFDRenderer.isLabelPart(value) {
                lines.append("\(NFDRenderer.prefix)\(name)=\(value)")
            } else {
                lines.append("# skipped, not a valid Kubernetes label: \(Sanitize.line(name, limit: 80))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Kubernetes' label name (after the prefix) and value syntax: at most 63 characters,
    /// alphanumerics at both ends, `-`, `_`, `.` inside.
    static func isLabelPart(_ s: String) -> Bool {
        guard (1...63).contains(s.count), let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        func alnum(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) }
        return alnum(first) && alnum(last) && s.unicodeScalars.allSatisfy { alnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }
}
