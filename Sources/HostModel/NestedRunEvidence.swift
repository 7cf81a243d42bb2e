/// The proof of nesting by doing it: a KVM guest (L1) with SVM in its CPUID executed VMRUN of a
/// nested guest (L2), took its intercepted HLT back as #VMEXIT, and resumed it, round after round.
/// Recorded by `SVMNestedRun` (HostProbe) in the guest-run child; read by the `kvm.nested` rule.
public struct NestedRunEvidence: Codable, Sendable, Hashable {
    /// One completed VMRUN ... #VMEXIT round trip, as L1's VMCB held it when L1 reported it.
    public struct Round: Codable, Sendable, Hashable {
        /// 1-based.
        public var index: Int
        /// EXITCODE (VMCB 70h); 78h is VMEXIT_HLT, -1 VMEXIT_INVALID.
        public var exitCode: UInt64
        public var exitInfo1: UInt64
        public var exitInfo2: UInt64
        /// The nested guest's RIP (578h) and nRIP (C8h) as #VMEXIT saved them.
        public var rip: UInt64
        public var nextRIP: UInt64
        /// The nested guest's RAX as #VMEXIT saved it (5F8h): it adds 7 in every round.
        public var rax: UInt64
        /// RBX as L1 found it after #VMEXIT: the nested guest increments it in every round and
        /// #VMEXIT does not touch it, so it counts the rounds the nested guest really ran.
        public var counter: UInt64
        /// What did not match the APM's expectation for this round, if anything.
        public var problem: String?

        /// `nextRIP` travels as `next_rip`, which the snake-case decoder reads back as `nextRip`.
        private enum CodingKeys: String, CodingKey {
            case index, exitCode, exitInfo1, exitInfo2, rip, nextRIP = "nextRip", rax, counter, problem
        }

        public init(index: Int, exitCode: UInt64, exitInfo1: UInt64, exitInfo2: UInt64, rip: UInt64, nextRIP: UInt64,
                    rax: UInt64, counter: UInt64, problem: String?) {
            self.index = index
            self.exitCode = exitCode
            self.exitInfo1 = exitInfo1
            self.exitInfo2 = exitInfo2
            self.rip = rip
            self.nextRIP = nextRIP
            self.rax = rax
            self.counter = counter
            self.problem = problem
        }
    }

    /// An exception L1's IDT caught (its handler reported vector, error code and RIP).
    public struct Fault: Codable, Sendable, Hashable {
        public var vector: UInt8
        public var errorCode: UInt64
        public var rip: UInt64
        /// The round in progress when it happened (1-based).
        public var round: Int

        public init(vector: UInt8, errorCode: UInt64, rip: UInt64, round: Int) {
            self.vector = vector
            self.errorCode = errorCode
            self.rip = rip
            self.round = round
        }
    }

    /// `svm` (the only architecture a nested run exists for: TCG has no VT-x to test a VMX L1 with).
    public var architecture: String
    /// Every planned round trip completed as the APM says.
    public var ok: Bool
    public var roundsPlanned: Int
    public var rounds: [Round]
    public var fault: Fault?
    /// What went wrong, in one line, when not ok.
    public var error: String?
    public var timedOut: Bool
    /// Set when virtcheck's own limits stopped the run: then it proves nothing either way.
    public var ownLimit: String?
    /// L1's mode (`SVMGuestProgram.L1Mode`: "64-bit, 4-level paging", "32-bit, PAE paging",
    /// "32-bit, 2-level paging"); nil in snapshots from before 32-bit L1s were run (64-bit).
    public var l1: String?

    public init(architecture: String, ok: Bool, roundsPlanned: Int, rounds: [Round], fault: Fault?, error: String?,
                timedOut: Bool, ownLimit: String?, l1: String? = nil) {
        self.l1 = l1
        self.architecture = architecture
        self.ok = ok
        self.roundsPlanned = roundsPlanned
        self.rounds = rounds
        self.fault = fault
        self.error = error
        self.timedOut = timedOut
        self.ownLimit = ownLimit
    }
}
