/// How one arbitrary guest program ended in a real KVM vCPU: its exits and the final state the
/// differential run compares with the interpreter's prediction.
public struct GuestProgramOutcome: Codable, Sendable, Hashable {
    public var name: String
    /// RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15 (ModRM encoding order); empty on failure.
    public var registers: [UInt64]
    public var rip: UInt64?
    public var rflags: UInt64?
    /// CR0 and CR4 as KVM_GET_SREGS reports them.
    public var cr0: UInt64?
    public var cr4: UInt64?
    public var exits: [GuestExit]
    /// Guest-physical 0x9000-0x90FF after the run, hex: where test programs store results.
    public var resultMemory: String?
    /// Why the run could not be made (KVM step and errno), not a guest outcome.
    public var error: String?

    public init(name: String, registers: [UInt64], rip: UInt64?, rflags: UInt64?, cr0: UInt64?, cr4: UInt64?,
                exits: [GuestExit], resultMemory: String?, error: String?) {
        self.name = name
        self.registers = registers
        self.rip = rip
        self.rflags = rflags
        self.cr0 = cr0
        self.cr4 = cr4
        self.exits = exits
        self.resultMemory = resultMemory
        self.error = error
    }
}
