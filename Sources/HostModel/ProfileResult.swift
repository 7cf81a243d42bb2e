/// How the host fares against one profile (a set of required rules).
public struct ProfileResult: Codable, Sendable, Hashable {
    public var id: String
    public var status: FindingStatus
    /// The verdict on the CPU-side requirements alone, so offline input still says whether the CPU can.
    public var cpu: FindingStatus
    public var failed: [String]
    public var unknown: [String]
    /// The rules through which requirements were met instead of directly (`host.hyperv-root`:
    /// through Hyper-V and WHP; `host.xen-dom0`: through Xen HVM); nil when none.
    public var via: [String]?

    public init(id: String, status: FindingStatus, cpu: FindingStatus, failed: [String], unknown: [String], via: [String]? = nil) {
        self.id = id
        self.status = status
        self.cpu = cpu
        self.failed = failed
        self.unknown = unknown
        self.via = via
    }
}
