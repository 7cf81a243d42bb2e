/// Facts about the probing process and machine that are not CPU or KVM evidence.
public struct HostEvidence: Codable, Sendable, Hashable {
    /// Whether the probe ran with euid 0 (decides whether `denied` is expected).
    public var root: Bool?
    /// Online logical CPUs (/sys/devices/system/cpu/online), live only.
    public var onlineCpus: [Int]?
    /// When the snapshot was taken, ISO 8601 UTC.
    public var capturedAt: String?

    public init(root: Bool?, onlineCpus: [Int]?, capturedAt: String?) {
        self.root = root
        self.onlineCpus = onlineCpus
        self.capturedAt = capturedAt
    }
}
