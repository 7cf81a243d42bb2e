/// An AMD virtual-machine control block (APM Vol.2 Appendix B): the control-area fields VMRUN
/// checks and #VMEXIT writes, and the state-save area VMRUN loads, #VMEXIT stores, and
/// VMLOAD/VMSAVE move. Kept by name rather than offset; the host-save area at VM_HSAVE_PA has
/// an implementation-specific format (APM 15.30.4) and is modelled as a VMCB's save area too.
public struct VMCB: Codable, Sendable, Hashable {
    // MARK: control area
    /// Intercepted SVM instructions (control area, intercept vector words 0-1).
    public var intercepts: Set<SVMIntercept>
    public var asid: UInt32
    public var iopmBase: UInt64
    public var msrpmBase: UInt64
    public var nestedPaging: Bool
    public var eventInjection: UInt64
    /// Written by #VMEXIT: EXITCODE (0x70), EXITINFO1 (0x78), EXITINFO2 (0x80), EXITINTINFO (0x88).
    public var exitCode: UInt64?
    public var exitInfo1: UInt64
    public var exitInfo2: UInt64
    public var exitIntInfo: UInt64
    /// Next sequential instruction pointer (0xC8), written by #VMEXIT when CPUID
    /// 8000_000A EDX[3] (NRIP save) is set (APM 15.7.1).
    public var nextRIP: UInt64

    // MARK: state-save area
    public var efer: UInt64
    public var cr0: UInt64
    public var cr3: UInt64
    public var cr4: UInt64
    public var dr6: UInt64
    public var dr7: UInt64
    public var rflags: UInt64
    public var rip: UInt64
    public var rsp: UInt64
    public var rax: UInt64
    public var cpl: UInt64
    /// ES, CS, SS, DS, FS, GS, LDTR, TR (attributes held in access-rights form, see `Segment`).
    public var segments: [SegmentRegister: Segment]
    /// GDTR and IDTR (save area offsets 0x460 and 0x480: limit, base).
    public var descriptorTables: [DescriptorTableRegister.Name: DescriptorTableRegister]
    /// KernelGsBase, STAR, LSTAR, CSTAR, SFMASK, SYSENTER_CS/ESP/EIP by MSR.
    public var msrs: [ModelMSR: UInt64]

    public init(intercepts: Set<SVMIntercept> = [], asid: UInt32 = 0, iopmBase: UInt64 = 0, msrpmBase: UInt64 = 0,
                nestedPaging: Bool = false, eventInjection: UInt64 = 0, exitCode: UInt64? = nil, exitInfo1: UInt64 = 0,
                exitInfo2: UInt64 = 0, exitIntInfo: UInt64 = 0, nextRIP: UInt64 = 0, efer: UInt64 = 0, cr0: UInt64 = 0,
                cr3: UInt64 = 0, cr4: UInt64 = 0, dr6: UInt64 = 0, dr7: UInt64 = 0, rflags: UInt64 = 0, rip: UInt64 = 0,
                rsp: UInt64 = 0, rax: UInt64 = 0, cpl: UInt64 = 0, segments: [SegmentRegister: Segment] = [:],
                descriptorTables: [DescriptorTableRegister.Name: DescriptorTableRegister] = [:], msrs: [ModelMSR: UInt64] = [:]) {
        self.intercepts = intercepts
        self.asid = asid
        self.iopmBase = iopmBase
        self.msrpmBase = msrpmBase
        self.nestedPaging = nestedPaging
        self.eventInjection = eventInjection
        self.exitCode = exitCode
        self.exitInfo1 = exitInfo1
        self.exitInfo2 = exitInfo2
        self.exitIntInfo = exitIntInfo
        self.nextRIP = nextRIP
        self.efer = efer
        self.cr0 = cr0
        self.cr3 = cr3
        self.cr4 = cr4
        self.dr6 = dr6
        self.dr7 = dr7
        self.rflags = rflags
        self.rip = rip
        self.rsp = rsp
        self.rax = rax
        self.cpl = cpl
        self.segments = segments
        self.descriptorTables = descriptorTables
        self.msrs = msrs
    }

    /// The ASID widened for uniform access by vector settings.
    var asidWide: UInt64 {
        get { UInt64(asid) }
        set { asid = UInt32(truncatingIfNeeded: newValue) }
    }

    /// CS.L and CS.D of the save area's CS (VMRUN's long-mode consistency check).
    public var csL: Bool { segments[.cs]?.l ?? false }
    public var csD: Bool { segments[.cs]?.db ?? false }

    public func segment(_ register: SegmentRegister) -> Segment { segments[register] ?? Segment(attributes: 0) }

    public func descriptorTable(_ name: DescriptorTableRegister.Name) -> DescriptorTableRegister {
        descriptorTables[name] ?? DescriptorTableRegister()
    }

    /// A VMCB that passes every VMRUN consistency check: VMRUN intercepted, ASID 1, a 64-bit
    /// guest with paging (EFER.SVME|LME|LMA, CR0.PG|PE, CR4.PAE, CS.L) at RIP 0x40_0000 with
    /// RSP 0x40_8000, flat data segments and a 64-bit TSS.
    public static let valid = VMCB(
        intercepts: [.vmrun], asid: 1, iopmBase: 0x10_0000, msrpmBase: 0x20_0000,
        efer: 0x1D00, cr0: 0x8000_0011, cr3: 0x30_0000, cr4: 0x20, dr6: 0xFFFF_0FF0, dr7: 0x400, rflags: 0x2,
        rip: 0x40_0000, rsp: 0x40_8000,
        segments: [.es: .data, .cs: .code64, .ss: .data, .ds: .data, .fs: .data, .gs: .data, .ldtr: Segment(attributes: 0),
                   .tr: .tss])
}
