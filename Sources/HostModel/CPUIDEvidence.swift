/// CPUID as read on every logical CPU (live: the instruction, pinned to each CPU; offline: a
/// `cpuid -r` dump or `DIR/dev/cpu/N/cpuid`).
public struct CPUIDEvidence: Codable, Sendable, Hashable {
    /// How the leaves were obtained: `instruction`, `dev-cpu-cpuid`, or the dump's path.
    public var source: String
    public var status: EvidenceStatus
    public var cpus: [CPUIDTable]
    public var detail: String?

    public init(source: String, status: EvidenceStatus, cpus: [CPUIDTable], detail: String? = nil) {
        self.source = source
        self.status = status
        self.cpus = cpus
        self.detail = detail
    }
}
