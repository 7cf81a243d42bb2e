/// VM-instruction error numbers (SDM Vol.3C 31.4, "VM Instruction Error Numbers"; names as
/// Linux `enum vm_instruction_error_number` and kvm-unit-tests x86/vmx.h). The reserved numbers
/// (14, 21, 27) have no case: no instruction reports them.
public enum VMInstructionError: Int, Codable, Sendable, Hashable, CaseIterable {
    case vmcallInRoot = 1
    case vmclearInvalidAddress = 2
    case vmclearVMXONPointer = 3
    case vmlaunchNonClearVMCS = 4
    case vmresumeNonLaunchedVMCS = 5
    case vmresumeAfterVMXOFF = 6
    case entryInvalidControlField = 7
    case entryInvalidHostStateField = 8
    case vmptrldInvalidAddress = 9
    case vmptrldVMXONPointer = 10
    case vmptrldIncorrectRevision = 11
    case unsupportedVMCSComponent = 12
    case vmwriteReadOnlyComponent = 13
    case vmxonInRoot = 15
    case entryInvalidExecutiveVMCSPointer = 16
    case entryNonLaunchedExecutiveVMCS = 17
    case entryExecutiveVMCSPointerNotVMXON = 18
    case vmcallNonClearVMCS = 19
    case vmcallInvalidExitControls = 20
    case vmcallIncorrectMSEGRevision = 22
    case vmxoffUnderDualMonitor = 23
    case vmcallInvalidSMMMonitorFeatures = 24
    case entryInvalidExecutiveControls = 25
    case entryEventsBlockedByMOVSS = 26
    case invalidINVEPTINVVPIDOperand = 28

    /// Another error number, for mutants that must be told apart from this one.
    public var other: VMInstructionError {
        let all = Self.allCases
        let index = all.firstIndex(of: self)!
        return all[(index + 1) % all.count]
    }
}
