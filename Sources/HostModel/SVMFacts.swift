/// AMD-V capabilities from CPUID 0x8000000A (AMD APM Vol.3 App.E, CPUID Fn8000_000A), and whether
/// firmware disabled SVM (MSR VM_CR, 0xC0010114). Only decoded when CPUID.80000001h:ECX[2] (SVM)
/// is set: the leaf means nothing on a CPU without SVM (QEMU models fill it in anyway).
/// Property names keep one capital per word so `convertToSnakeCase` gives the report keys
/// (`nested_paging`, `nrip_save`, `vmsave_virt`, ...).
public struct SVMFacts: Codable, Sendable, Hashable {
    /// EAX[7:0], the SVM revision.
    public var revision: Int
    /// EBX, the number of address space identifiers (ASIDs); KVM uses NASID-1 of them.
    public var nasid: UInt32
    // EDX bits, in bit order. Bit numbers are in `CPUIDDecoder.svm`.
    public var nestedPaging = false
    public var lbrVirt = false
    public var svmLock = false
    public var nripSave = false
    public var tscRateMsr = false
    public var vmcbClean = false
    public var flushByAsid = false
    public var decodeAssists = false
    public var pauseFilter = false
    public var pauseFilterThreshold = false
    public var avic = false
    public var vmsaveVirt = false
    public var vgif = false
    /// Guest-mode execute trap.
    public var gmet = false
    public var x2avic = false
    /// Supervisor shadow-stack restrictions in the nested page tables.
    public var sssCheck = false
    /// Guest SPEC_CTRL kept in the VMCB.
    public var specCtrl = false
    /// Read-only guest page tables.
    public var rogpt = false
    public var hostMceOverride = false
    /// INVLPGB/TLBSYNC enable and TLBSYNC intercept.
    public var tlbiCtl = false
    /// Virtual NMI.
    public var vnmi = false
    public var ibsVirt = false
    /// The CPU checks the guest VMCB address on VMRUN.
    public var vmcbAddrCheck = false
    /// VM_CR bit 4 SVMDIS: firmware turned SVM off (EFER.SVME cannot be set); nil when the MSR
    /// could not be read.
    public var disabledByBios: Bool?
    /// VM_CR bit 3 LOCK: SVMDIS can no longer be changed by software; nil when unread.
    public var vmcrLocked: Bool?

    public init(revision: Int, nasid: UInt32) {
        self.revision = revision
        self.nasid = nasid
    }
}
