/// The parts of an AMD virtual-machine control block (APM Vol.2 Appendix B) that the SVM checks
/// and VMLOAD/VMSAVE read or write. Kept by name rather than offset: only the checks' inputs
/// matter to the model.
public struct VMCB: Codable, Sendable, Hashable {
    /// Intercepted SVM instructions (control area, intercept vector words 0-1).
    public var intercepts: Set<SVMIntercept>
    public var asid: UInt32
    public var iopmBase: UInt64
    public var msrpmBase: UInt64
    public var nestedPaging: Bool
    public var eventInjection: UInt64
    public var efer: UInt64
    public var cr0: UInt64
    public var cr3: UInt64
    public var cr4: UInt64
    public var dr6: UInt64
    public var dr7: UInt64
    public var csL: Bool
    public var csD: Bool
    /// The ASID widened for uniform access by vector settings.
    var asidWide: UInt64 {
        get { UInt64(asid) }
        set { asid = UInt32(truncatingIfNeeded: newValue) }
    }
    /// Written by #VMEXIT; -1 (VMEXIT_INVALID) when VMRUN's consistency checks fail.
    public var exitCode: UInt64?

    /// A VMCB that passes every VMRUN consistency check: VMRUN intercepted, ASID 1, a 64-bit
    /// guest with paging (EFER.SVME|LME|LMA, CR0.PG|PE, CR4.PAE, CS.L).
    public static let valid = VMCB(
        intercepts: [.vmrun], asid: 1, iopmBase: 0x10_0000, msrpmBase: 0x20_0000, nestedPaging: false,
        eventInjection: 0, efer: 0x1D00, cr0: 0x8000_0011, cr3: 0x30_0000, cr4: 0x20, dr6: 0xFFFF_0FF0, dr7: 0x400,
        csL: true, csD: false, exitCode: nil)
}
