/// One way a program's run under KVM differs from the interpreter's prediction: the field
/// compared (`exits`, `rax` ... `r15`, `rip`, `rflags`, `memory`, `interpreter`, `kvm-run`,
/// `outcome`), both values, and the documented deviation that explains exactly this observation,
/// if there is one.
public struct DifferentialMismatch: Codable, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var predicted: String
    public var observed: String
    /// `backend: explanation (source)` when a `KnownDeviation` names this program, field and
    /// observed value; nil when nothing explains it.
    public var knownDeviation: String?

    public init(field: String, predicted: String, observed: String, knownDeviation: String? = nil) {
        self.field = field
        self.predicted = predicted
        self.observed = observed
        self.knownDeviation = knownDeviation
    }

    /// `field: predicted P, KVM O`, the form the text output and `mismatches` use.
    public var description: String { "\(field): predicted \(predicted), KVM \(observed)" }
}
