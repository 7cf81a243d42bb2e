import Emulator
import HostModel

/// One program's verdict in the differential run: the interpreter's prediction against what a
/// real KVM vCPU did, every disagreement named, and whether it is a known KVM/PVM deviation.
public struct DifferentialResult: Codable, Sendable, Hashable {
    public var program: String
    public var mode: String
    public var instruction: String
    public var reference: String
    public var agrees: Bool
    /// Exits KVM reported, `reason[:port/size/value]`.
    public var exits: [String]
    /// Each difference as text (`field: predicted P, KVM O`).
    public var mismatches: [String]
    /// Each difference with the deviation that explains it, if any.
    public var deviations: [DifferentialMismatch]
    /// Set when every mismatch is explained by a documented deviation of the KVM backend (the
    /// first one's explanation); nil when the program agrees or any mismatch is unexplained.
    public var knownDeviation: String?

    /// Disagreements no documented deviation explains.
    public var unexplained: [DifferentialMismatch] { deviations.filter { $0.knownDeviation == nil } }
}
