/// MSR reads per logical CPU. Live probes read /dev/cpu/N/msr (never write it); offline
/// input is an MSR listing or `DIR/dev/cpu/N/msr` regular files.
public struct MSREvidence: Codable, Sendable, Hashable {
    public struct CPU: Codable, Sendable, Hashable {
        public var cpu: Int
        public var reads: [MSRRead]

        public init(cpu: Int, reads: [MSRRead]) {
            self.cpu = cpu
            self.reads = reads
        }

        public func read(_ index: UInt32) -> MSRRead? { reads.first { $0.index == index } }

        /// The value when the read succeeded.
        public func value(_ index: UInt32) -> UInt64? {
            guard let r = read(index), r.status == .ok else { return nil }
            return r.value
        }
    }

    /// `/dev/cpu/N/msr`, or the listing's path.
    public var source: String
    public var cpus: [CPU]

    public init(source: String, cpus: [CPU]) {
        self.source = source
        self.cpus = cpus
    }
}
