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
    public var mismatches: [String]
    /// Set when every mismatch is a documented deviation of the KVM backend, with the reason.
    public var knownDeviation: String?
}
