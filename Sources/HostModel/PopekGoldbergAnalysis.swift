/// Popek and Goldberg's condition judged for one host: which sensitive instructions a pure
/// trap-and-emulate VMM (guest kernel deprivileged to ring 1 or 3, no VT-x/AMD-V) could not
/// catch on this CPU, which features close those gaps here, and whether the condition holds
/// once VT-x/AMD-V runs the guest kernel at its own CPL0. The report's `popek_goldberg` section.
public struct PopekGoldbergAnalysis: Codable, Sendable, Hashable {
    /// One instruction of Data/tables/popek_goldberg.tsv as it stands on this host.
    public struct Instruction: Codable, Sendable, Hashable {
        public var instruction: String
        /// `privileged`, `control-sensitive`, `behaviour-sensitive` or `innocuous`.
        public var sensitivity: String
        /// What it does at CPL3 with no feature turned on: `trap`, `silent` or `conditional`.
        public var cpl3: String
        /// What the CPL3 probes saw here (`trapped`, `emulated`, `native`); nil when not probed.
        public var probed: String?
        /// Features that close its gap, as the table names them, and which of those this host has.
        public var closers: [String]
        public var closedHere: [String]
        /// Sensitive, does not trap, and nothing but VT-x/AMD-V closes it here: a pure
        /// trap-and-emulate VMM cannot see it.
        public var gap: Bool
        public var why: String
        public var vmx: String
        public var svm: String
        public var source: String

        public init(instruction: String, sensitivity: String, cpl3: String, probed: String?, closers: [String],
                    closedHere: [String], gap: Bool, why: String, vmx: String, svm: String, source: String) {
            self.instruction = instruction
            self.sensitivity = sensitivity
            self.cpl3 = cpl3
            self.probed = probed
            self.closers = closers
            self.closedHere = closedHere
            self.gap = gap
            self.why = why
            self.vmx = vmx
            self.svm = svm
            self.source = source
        }
    }

    /// `vmx`, `svm` or nil: hardware virtualization the CPU reports.
    public var hardwareVirtualization: String?
    /// CPUID.(7,0):ECX[2]; nil when CPUID was not read.
    public var umip: Bool?
    /// CPUID faulting (Intel MSR_PLATFORM_INFO[31], AMD CpuidUserDis, cpuinfo `cpuid_fault`);
    /// nil when no evidence says.
    public var cpuidFaulting: Bool?
    /// Whether the CPL3 probes ran (live host); their results are in `instructions[].probed`.
    public var probed: Bool
    /// Sensitive instructions that stay unprivileged here for a VMM without VT-x/AMD-V.
    public var remainingWithoutHardware: [String]
    /// Whether every sensitive instruction traps for a ring-deprivileging VMM on this CPU.
    public var holdsWithoutHardware: Bool
    /// Whether the condition holds with VT-x/AMD-V: true when present (every sensitive
    /// instruction either exits or acts on the guest's own state at its own CPL0); nil when unknown.
    public var holdsWithHardware: Bool?
    public var summary: String
    public var instructions: [Instruction]

    public init(hardwareVirtualization: String?, umip: Bool?, cpuidFaulting: Bool?, probed: Bool,
                remainingWithoutHardware: [String], holdsWithoutHardware: Bool, holdsWithHardware: Bool?,
                summary: String, instructions: [Instruction]) {
        self.hardwareVirtualization = hardwareVirtualization
        self.umip = umip
        self.cpuidFaulting = cpuidFaulting
        self.probed = probed
        self.remainingWithoutHardware = remainingWithoutHardware
        self.holdsWithoutHardware = holdsWithoutHardware
        self.holdsWithHardware = holdsWithHardware
        self.summary = summary
        self.instructions = instructions
    }
}
