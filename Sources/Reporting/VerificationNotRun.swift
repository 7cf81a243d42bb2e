/// Why `verify --on-cpu` or `verify --against-kvm` could not run (exit 3): DESIGN.md's exit 3
/// still writes the report, so a CI job that keeps `--format json` output gets the reason in the
/// file, not an empty one.
public struct VerificationNotRun: Encodable, Sendable, Hashable {
    public enum Mode: String, Encodable, Sendable, Hashable {
        case onCPU = "on_cpu"
        case againstKVM = "against_kvm"
    }

    public var mode: Mode
    /// The same sentence as the stderr line, without the program's prefix.
    public var reason: String

    public init(mode: Mode, reason: String) {
        self.mode = mode
        self.reason = reason
    }
}
