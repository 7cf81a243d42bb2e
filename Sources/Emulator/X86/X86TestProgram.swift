import HostModel

/// A machine-code program for the differential run: the same bytes go to the interpreter and to
/// a real KVM vCPU (HostProbe's runner, loaded at `GuestMemoryLayout.entry` with RSP at `stackTop`, in `mode` at CPL0).
/// Encodings are from the SDM Vol.2 opcode tables, written beside each program in `corpus`.
public struct X86TestProgram: Sendable, Hashable {
    public var name: String
    public var mode: X86State.Mode
    /// The Popek-Goldberg table row it exercises (`SGDT`, `POPF`, ...) or `innocuous`.
    public var instruction: String
    public var code: [UInt8]
    /// SDM reference for what the program checks.
    public var reference: String
    /// Registers whose value is the host's, not the architecture's (CPUID leaves, TSC): not compared.
    public var hostDefined: Set<Int>

    public init(_ name: String, _ mode: X86State.Mode, _ instruction: String, _ code: [UInt8], _ reference: String,
                hostDefined: Set<Int> = []) {
        self.name = name
        self.mode = mode
        self.instruction = instruction
        self.code = code
        self.reference = reference
        self.hostDefined = hostDefined
    }

    /// The interpreter's prediction: GuestRunner's initial state, the code at the layout's entry, run to HLT,
    /// on a CPU whose unimplemented CR4 bits are `reservedCR4` (see `X86State.reservedCR4`).
    public func predict(reservedCR4: UInt64 = 0) -> X86Interpreter {
        var state = X86State(mode: mode)
        state.reservedCR4 = reservedCR4
        state.rip = UInt64(GuestMemoryLayout.entry)
        state.gpr[4] = UInt64(GuestMemoryLayout.stackTop)
        for (i, byte) in code.enumerated() { state.memory[GuestMemoryLayout.entry + i] = byte }
        if mode == .long64 { X86TestProgram.mapPages(&state) }
        var interpreter = X86Interpreter(state: state)
        interpreter.run()
        return interpreter
    }

    /// GuestRunner's page tables, so memory after the run compares byte for byte.
    static func mapPages(_ state: inout X86State) {
        func put(_ value: UInt64, _ at: Int) { for i in 0..<8 { state.memory[at + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) } }
        for entry in GuestMemoryLayout.pageTableEntries { put(entry.value, entry.address) }
    }
}
