/// What one instruction did when executed at CPL3 on the host (`virtcheck __cpl3-probe`): the
/// raw observation (signal, values) and its reading. Popek and Goldberg need the sensitive
/// instructions to trap; this says, per instruction, whether they did on this machine.
public struct Cpl3ProbeResult: Codable, Sendable, Hashable {
    public enum Outcome: String, Codable, Sendable, Hashable {
        /// A fault stopped it (the kernel delivered `signal`): the instruction is privileged here.
        case trapped
        /// It faulted and the kernel answered for it (Linux's UMIP emulation returns dummy values).
        case emulated
        /// It ran natively and produced real state (a leak, or a silently ignored change).
        case native
    }

    /// The probe name from Data/tables/popek_goldberg.tsv (`sgdt`, `popf`, `mov-cs`, ...).
    public var probe: String
    /// The instruction as the table names it (`SGDT`, `MOV from Sreg`, ...).
    public var instruction: String
    public var outcome: Outcome
    /// `SIGSEGV` (#GP, #PF) or `SIGILL` (#UD), with si_code, when it trapped.
    public var signal: String?
    /// The values it produced, hex, in probe order (base and limit, a selector, flags, ...).
    public var values: [String]
    /// Why this outcome: which values are the kernel's dummies, what leaked, what was ignored.
    public var detail: String

    public init(probe: String, instruction: String, outcome: Outcome, signal: String?, values: [String], detail: String) {
        self.probe = probe
        self.instruction = instruction
        self.outcome = outcome
        self.signal = signal
        self.values = values
        self.detail = detail
    }
}
