/// Whether one PCI function can be given to a VM through VFIO, and every reason, good or bad,
/// in words a person acts on (`pci.passthrough` findings carry the same).
public struct PassthroughVerdict: Codable, Sendable, Hashable {
    public var status: FindingStatus
    public var reasons: [String]
    /// What to change (firmware setting, kernel parameter, driver binding), when anything.
    public var remediation: String?

    public init(status: FindingStatus, reasons: [String], remediation: String? = nil) {
        self.status = status
        self.reasons = reasons
        self.remediation = remediation
    }
}
