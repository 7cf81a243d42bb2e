/// The outcome of `virtcheck baseline`: what every host of the pool offers (the CPU model
/// that can migrate anywhere in it), what the best host offers, and what each host lacks.
public struct BaselineResult: Sendable, Hashable, Codable {
    public struct Host: Sendable, Hashable, Codable {
        public var label: String
        public var vendor: String?
        public var brand: String?
        /// Offered by some host of the pool, absent here: what holds this host back.
        public var lacks: [String]
        /// Offered by some host, and this host's evidence is silent on it.
        public var unknown: [String]
        public var physicalAddressBits: Int?
        public var linearAddressBits: Int?
    }

    public var hostCount: Int
    public var vendors: [String]
    /// Present on every host: safe for any VM to use anywhere in the pool.
    public var common: [String]
    /// Present on at least one host: the union a host-passthrough VM could come to use.
    public var poolBest: [String]
    /// Present on some hosts, unknown (not absent) on others: the evidence cannot decide.
    public var undetermined: [String]
    /// The narrowest width of the pool (nil when any host's is unknown).
    public var physicalAddressBits: Int?
    public var linearAddressBits: Int?
    public var cpuModel: CPUModel
    /// Each host against the pool's best, in the order given (empty when not asked for).
    public var hosts: [Host]
}
