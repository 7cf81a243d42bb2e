import HostModel

/// One run of the VMX harness: the instruction L1 executes, how far L1 sets up VMX operation
/// first, the control registers and IA32_FEATURE_CONTROL it runs with, the regions' headers and
/// the current VMCS's fields, and the instruction's operands. Addresses are guest-physical (the
/// planner has moved the vectors' into `GuestMemoryLayout.VMX`'s window).
public struct VMXGuestCase: Sendable, Hashable {
    /// How far L1 goes before the instruction (`Parameter.stage`).
    public enum Stage: UInt64, Sendable, Hashable, Codable {
        /// Not in VMX operation.
        case outside = 0
        /// VMX root operation after VMXON, no current VMCS.
        case root = 1
        /// VMX root operation with a current VMCS: VMCLEAR, VMPTRLD and the VMWRITE table.
        case current = 2
        /// `current`, then VMLAUNCH of the nested guest, whose VMCALL exits back to L1's set-up
        /// host RIP, and the after-exit VMWRITE table: the VMCS is launched.
        case launched = 3
    }

    /// One VMWRITE of the set-up.
    public struct Write: Sendable, Hashable {
        public var encoding: UInt32
        public var value: UInt64

        public init(_ encoding: UInt32, _ value: UInt64) {
            self.encoding = encoding
            self.value = value
        }
    }

    public var name: String
    public var instruction: VMXGuestProgram.Instruction
    public var stage: Stage
    public var cr0: UInt64
    public var cr4: UInt64
    /// IA32_FEATURE_CONTROL as KVM_SET_MSRS sets it before the run (firmware's part); nil leaves KVM's.
    public var featureControl: UInt64?
    public var vmxonPointer: UInt64
    public var vmcsPointer: UInt64
    public var writes: [Write]
    /// Written after the set-up's VM exit (`launched` only).
    public var writesAfterExit: [Write]
    /// The m64 the instruction's memory operand holds (VMXON/VMCLEAR/VMPTRLD's region address).
    public var operand: UInt64
    public var rcx: UInt64
    public var rdx: UInt64
    public var rax: UInt64
    public var descriptorLow: UInt64
    public var descriptorHigh: UInt64
    /// Region headers (revision identifier, shadow bit) by guest-physical address.
    public var headers: [Int: UInt32]
    /// The nested guest's code, at `GuestMemoryLayout.Harness.l2Code`.
    public var l2Code: [UInt8]

    /// IA32_FEATURE_CONTROL (3Ah) locked with VMX outside SMX: bits 0 and 2 (SDM 24.7).
    public static let featureControlLockedOutsideSMX: UInt64 = 0x5
    public static let featureControlIndex: UInt32 = 0x3A

    public init(name: String, instruction: VMXGuestProgram.Instruction, stage: Stage, cr0: UInt64, cr4: UInt64,
                featureControl: UInt64? = VMXGuestCase.featureControlLockedOutsideSMX, vmxonPointer: UInt64, vmcsPointer: UInt64,
                writes: [Write] = [], writesAfterExit: [Write] = [], operand: UInt64 = 0, rcx: UInt64 = 0, rdx: UInt64 = 0, rax: UInt64 = 0,
                descriptorLow: UInt64 = 0, descriptorHigh: UInt64 = 0, headers: [Int: UInt32] = [:], l2Code: [UInt8] = VMXGuestProgram.l2) {
        self.name = name
        self.instruction = instruction
        self.stage = stage
        self.cr0 = cr0
        self.cr4 = cr4
        self.featureControl = featureControl
        self.vmxonPointer = vmxonPointer
        self.vmcsPointer = vmcsPointer
        self.writes = writes
        self.writesAfterExit = writesAfterExit
        self.operand = operand
        self.rcx = rcx
        self.rdx = rdx
        self.rax = rax
        self.descriptorLow = descriptorLow
        self.descriptorHigh = descriptorHigh
        self.headers = headers
        self.l2Code = l2Code
    }
}

/// What one run of a `VMXGuestCase` showed, as the `__guest-run --vmx-vectors` child prints it:
/// L1's exception (with the set-up step it was at), or the results L1 wrote to its parameter
/// block. The parent classifies it (`OnCPUVMXRun.observed`).
public struct VMXCaseReport: Codable, Sendable, Hashable {
    public var name: String
    public var fault: NestedRunEvidence.Fault?
    /// `VMXGuestProgram.Step` L1 was at when it stopped (0: it never started).
    public var step: UInt64
    /// Where the instruction under test sits: a fault there is the instruction's own.
    public var instructionRIP: UInt64
    public var rflags: UInt64
    public var raxAfter: UInt64
    public var instructionError: UInt64
    /// L1 reached the VMCS's host RIP: a VM exit (the nested guest ran) or a failed VM entry.
    public var exited: Bool
    public var exitReason: UInt64
    public var exitQualification: UInt64
    /// RFLAGS of a failed set-up step (0 when none failed) and how many VMWRITEs were left.
    public var setupFlags: UInt64
    public var writesLeft: UInt64
    public var halted: Bool
    public var error: String?

    /// `instructionRIP` travels as `instruction_rip`, which the snake-case decoder reads back as `instructionRip`.
    private enum CodingKeys: String, CodingKey {
        case name, fault, step, instructionRIP = "instructionRip", rflags, raxAfter, instructionError, exited, exitReason
        case exitQualification, setupFlags, writesLeft, halted, error
    }

    public init(name: String, fault: NestedRunEvidence.Fault? = nil, step: UInt64 = 0, instructionRIP: UInt64 = 0, rflags: UInt64 = 0,
                raxAfter: UInt64 = 0, instructionError: UInt64 = 0, exited: Bool = false, exitReason: UInt64 = 0,
                exitQualification: UInt64 = 0, setupFlags: UInt64 = 0, writesLeft: UInt64 = 0, halted: Bool = false, error: String? = nil) {
        self.name = name
        self.fault = fault
        self.step = step
        self.instructionRIP = instructionRIP
        self.rflags = rflags
        self.raxAfter = raxAfter
        self.instructionError = instructionError
        self.exited = exited
        self.exitReason = exitReason
        self.exitQualification = exitQualification
        self.setupFlags = setupFlags
        self.writesLeft = writesLeft
        self.halted = halted
        self.error = error
    }
}
