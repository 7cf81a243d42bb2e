/// VMX basic exit reasons (SDM Vol.3D Appendix C, "VMX Basic Exit Reasons"; names as Linux
/// arch/x86/include/uapi/asm/vmx.h `EXIT_REASON_*`, or Bochs vmx.h where Linux has none). The
/// reserved numbers (35, 38, 42, 71, 82, 83) have no case: an exit can never carry them.
public enum VMXExitReason: UInt32, Codable, Sendable, Hashable, CaseIterable {
    case exceptionNMI = 0, externalInterrupt = 1, tripleFault = 2, initSignal = 3, sipiSignal = 4, ioSMI = 5
    case otherSMI = 6, interruptWindow = 7, nmiWindow = 8, taskSwitch = 9, cpuid = 10, getsec = 11
    case hlt = 12, invd = 13, invlpg = 14, rdpmc = 15, rdtsc = 16, rsm = 17
    case vmcall = 18, vmclear = 19, vmlaunch = 20, vmptrld = 21, vmptrst = 22, vmread = 23
    case vmresume = 24, vmwrite = 25, vmxoff = 26, vmxon = 27, crAccess = 28, drAccess = 29
    case ioInstruction = 30, msrRead = 31, msrWrite = 32
    /// VM-entry failure due to invalid guest state (with bit 31 set, SDM 27.8).
    case invalidGuestState = 33
    /// VM-entry failure due to MSR loading (with bit 31 set, SDM 27.4).
    case msrLoadFailure = 34
    case mwait = 36, monitorTrapFlag = 37, monitor = 39, pause = 40
    /// VM-entry failure due to a machine-check event (with bit 31 set).
    case machineCheckDuringEntry = 41
    case tprBelowThreshold = 43, apicAccess = 44, virtualizedEOI = 45, gdtrIdtrAccess = 46, ldtrTrAccess = 47
    case eptViolation = 48, eptMisconfiguration = 49, invept = 50, rdtscp = 51, preemptionTimer = 52
    case invvpid = 53, wbinvd = 54, xsetbv = 55, apicWrite = 56, rdrand = 57, invpcid = 58, vmfunc = 59
    case encls = 60, rdseed = 61, pmlFull = 62, xsaves = 63, xrstors = 64, pconfig = 65, sppEvent = 66
    case umwait = 67, tpause = 68, loadiwkey = 69, enclv = 70, enqcmdPASIDFailure = 72, enqcmdsPASIDFailure = 73
    case busLock = 74, instructionTimeout = 75, seamcall = 76, tdcall = 77, rdmsrlist = 78, wrmsrlist = 79
    case urdmsr = 80, uwrmsr = 81, rdmsrImmediate = 84, wrmsrnsImmediate = 85

    /// Bit 31 of the exit-reason field: the exit is a VM-entry failure (SDM 25.9.1).
    public static let entryFailureBit: UInt32 = 0x8000_0000

    /// The exit-reason field value for a VM-entry failure with this reason.
    public var entryFailure: UInt32 { rawValue | Self.entryFailureBit }
}
