import HostModel

/// The architectural state the guest-code interpreter tracks: what a KVM test guest can change
/// and what the differential run reads back (general registers, RIP, RFLAGS, the system
/// registers of the Popek-Goldberg table, MSRs, memory). Reset values follow SDM Vol.3A 10.1.1
/// (Table 10-1) for what KVM's fresh vCPU leaves untouched, and HostProbe's `GuestRunner.prepare`
/// for what it sets.
public struct X86State: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable { case real, long64 }

    public var mode: Mode
    /// RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15: the encoding order of ModRM.reg.
    public var gpr: [UInt64] = Array(repeating: 0, count: 16)
    public var rip: UInt64 = 0
    public var rflags: UInt64 = 0x2
    /// ES, CS, SS, DS, FS, GS selectors (Sreg encoding order) and their bases.
    public var segment: [UInt16] = Array(repeating: 0, count: 6)
    public var segmentBase: [UInt64] = Array(repeating: 0, count: 6)
    public var cr0: UInt64
    public var cr2: UInt64 = 0
    public var cr3: UInt64 = 0
    public var cr4: UInt64 = 0
    /// CR4 bits this CPU does not implement (its CPUID lacks the feature): MOV to CR4 setting one
    /// raises #GP(0) (SDM Vol.3A 2.5, Vol.2 MOV—Move to/from Control Registers). Zero models a CPU
    /// with every feature; the differential run sets it from the CPUID KVM gives its vCPUs.
    public var reservedCR4: UInt64 = 0
    public var dr: [UInt64] = [0, 0, 0, 0, 0, 0, 0xFFFF_0FF0, 0x400]
    public var gdtrBase: UInt64 = 0
    public var gdtrLimit: UInt16 = 0xFFFF
    public var idtrBase: UInt64 = 0
    public var idtrLimit: UInt16 = 0xFFFF
    public var ldtr: UInt16 = 0
    public var tr: UInt16 = 0
    /// TR's base (KVM's reset TR has base 0); LTR loads it from the 16-byte TSS descriptor.
    public var trBase: UInt64 = 0
    public var msrs: [UInt32: UInt64] = [:]
    public var memory: [UInt8]

    /// CS.RPL outside real mode, where the CPL is always 0.
    public var cpl: Int { mode == .real ? 0 : Int(segment[1] & 3) }
    public var iopl: Int { Int(rflags >> 12 & 3) }

    public init(mode: Mode, memorySize: Int = GuestMemoryLayout.memorySize) {
        self.mode = mode
        memory = Array(repeating: 0, count: memorySize)
        switch mode {
        case .real:
            cr0 = 0x6000_0010 //              CD | NW | ET: the reset value (SDM Table 10-1)
        case .long64:
            cr0 = GuestMemoryLayout.longModeCR0
            cr3 = UInt64(GuestMemoryLayout.pml4)
            cr4 = GuestMemoryLayout.longModeCR4
            let data = GuestMemoryLayout.dataSelector
            segment = [data, GuestMemoryLayout.codeSelector, data, data, data, data]
        }
    }
}
