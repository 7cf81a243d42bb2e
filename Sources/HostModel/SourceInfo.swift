/// Where the evidence of a snapshot came from. A report built from a snapshot
/// states this, so nobody mistakes a replayed capture for a live probe.
public struct SourceInfo: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable {
        /// This host, probed now.
        case live
        /// A captured tree read through `--root DIR` with the live code path.
        case root
        /// Loose captured files (`cpuid -r` dump, cpuinfo, MSR listing, lscpu) via `--from`.
        case files
        /// A snapshot JSON written by `virtcheck capture`.
        case snapshot
    }

    public var kind: Kind
    public var paths: [String]

    public init(kind: Kind, paths: [String] = []) {
        self.kind = kind
        self.paths = paths
    }
}
