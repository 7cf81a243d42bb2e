/// How the host fares against one profile (a set of required rules).
public struct ProfileResult: Codable, Sendable, Hashable {
    public var id: String
    public var status: FindingStatus
    /// The verdict on the CPU-side requirements alone, so offline input still says whether the CPU can.
    public var cpu: FindingStatus
    public var failed: [String]
    public var unknown: [String]

    public init(id: String, status: FindingStatus, cpu: FindingStatus, failed: [String], unknown: [String]) {
        self.id = id
        self.status = status
        self.cpu = cpu
        self.failed = failed
        self.unknown = unknown
    }
}
