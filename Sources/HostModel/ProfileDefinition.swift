/// One hypervisor profile (`Data/rules/profiles.yaml`): what a host needs for one use, as groups
/// of rule ids, each with the side that decides it and why it is needed.
public struct ProfileDefinition: Codable, Sendable, Hashable {
    /// A requirement: any one of `any` passing (or warning) satisfies it; so does any one of
    /// `via`, a way around it through another layer (a control domain's hypervisor: Hyper-V's
    /// WHP, Xen HVM), which the result then names.
    public struct Requirement: Codable, Sendable, Hashable {
        public var any: [String]
        /// Rules that satisfy the requirement through another layer; of any side.
        public var via: [String]?
        public var side: RuleDefinition.Side
        public var why: String?

        public init(any: [String], via: [String]?, side: RuleDefinition.Side, why: String?) {
            self.any = any
            self.via = via
            self.side = side
            self.why = why
        }
    }

    public var id: String
    public var title: String
    public var why: String
    public var sources: [String]
    /// A host requirement that proves the CPU side in practice (a guest that ran through
    /// /dev/kvm). When set, the status rests on the host requirements alone - a software backend
    /// such as kvm_pvm runs guests with no VT-x/AMD-V exposed, and a guest that cannot run fails
    /// the profile by itself - while `cpu` still reports the CPU-side requirements.
    public var cpuProvenBy: String?
    public var requires: [Requirement]

    private enum CodingKeys: String, CodingKey {
        case id, title, why, sources, requires
        case cpuProvenBy = "cpu_proven_by"
    }

    public init(id: String, title: String, why: String, sources: [String], cpuProvenBy: String?, requires: [Requirement]) {
        self.id = id
        self.title = title
        self.why = why
        self.sources = sources
        self.cpuProvenBy = cpuProvenBy
        self.requires = requires
    }
}
