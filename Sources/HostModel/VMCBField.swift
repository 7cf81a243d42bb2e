/// Byte offsets of the VMCB fields a real SVM guest reads and writes (AMD64 APM vol. 2,
/// appendix B: table B-1, control area; table B-2, state-save area at 400h). The Emulator's
/// `VMCB` keeps fields by name; a guest in KVM needs the bytes, so the offsets live here once,
/// for the harness that writes a VMCB before KVM_RUN and reads back what #VMEXIT stored.
public enum VMCBField: Int, Sendable, CaseIterable {
    // MARK: control area (table B-1)
    /// Intercept vector 0: reads (bits 15:0) and writes (31:16) of CR0-CR15.
    case interceptCR = 0x000
    /// Intercept vector 1: reads and writes of DR0-DR15.
    case interceptDR = 0x004
    /// Intercept vector 2: exception vectors 0-31, one bit each.
    case interceptExceptions = 0x008
    /// Intercept vector 3: INTR (bit 0) ... HLT (bit 24) ... SHUTDOWN (bit 31).
    case interceptMisc1 = 0x00C
    /// Intercept vector 4: VMRUN (bit 0), VMMCALL, VMLOAD, VMSAVE, STGI, CLGI, SKINIT, ...
    case interceptMisc2 = 0x010
    case iopmBase = 0x040
    case msrpmBase = 0x048
    case tscOffset = 0x050
    /// Guest ASID (bits 31:0); TLB_CONTROL is the byte at 5Ch.
    case guestASID = 0x058
    case exitCode = 0x070
    case exitInfo1 = 0x078
    case exitInfo2 = 0x080
    case exitIntInfo = 0x088
    /// NP_ENABLE (bit 0) and its neighbours.
    case nestedControl = 0x090
    case eventInjection = 0x0A8
    case nestedCR3 = 0x0B0
    case cleanBits = 0x0C0
    /// nRIP, written by #VMEXIT where CPUID 8000_000Ah EDX[3] (NRIP save) is offered.
    case nextRIP = 0x0C8

    // MARK: state-save area (table B-2); segments are selector(2), attrib(2), limit(4), base(8)
    case es = 0x400
    case cs = 0x410
    case ss = 0x420
    case ds = 0x430
    case fs = 0x440
    case gs = 0x450
    case gdtr = 0x460
    case ldtr = 0x470
    case idtr = 0x480
    case tr = 0x490
    /// CPL, one byte.
    case cpl = 0x4CB
    case efer = 0x4D0
    case cr4 = 0x548
    case cr3 = 0x550
    case cr0 = 0x558
    case dr7 = 0x560
    case dr6 = 0x568
    case rflags = 0x570
    case rip = 0x578
    case rsp = 0x5D8
    case rax = 0x5F8
    case star = 0x600
    case lstar = 0x608
    case cstar = 0x610
    case sfmask = 0x618
    case kernelGSBase = 0x620
    case sysenterCS = 0x628
    case sysenterESP = 0x630
    case sysenterEIP = 0x638
    case cr2 = 0x640
    case gPAT = 0x668

    /// A VMCB is one 4 KiB page (APM 15.5.1: VMRUN's RAX must be 4 KiB-aligned).
    public static let size = 0x1000

    /// Intercept bits used by the harness (APM table B-1, vectors 3 and 4).
    public enum InterceptBit {
        /// Vector 3 (offset 0Ch) bit 24: HLT.
        public static let hlt: UInt32 = 1 << 24
        /// Vector 3 (offset 0Ch) bit 31: SHUTDOWN (a triple fault in the guest).
        public static let shutdown: UInt32 = 1 << 31
        /// Vector 4 (offset 10h) bit 0: VMRUN; APM 15.5.1: VMRUN with it clear fails with VMEXIT_INVALID.
        public static let vmrun: UInt32 = 1 << 0
    }

    /// The VMCB's compressed segment attributes (APM 15.5.1, "Segment State in the VMCB"):
    /// descriptor bits 47:40 (type, S, DPL, P) in 7:0 and bits 55:52 (AVL, L, D/B, G) in 11:8.
    public enum SegmentAttributes {
        /// Type Bh (execute/read, accessed), S, P, L, G: 64-bit code at CPL0.
        public static let code64: UInt16 = 0xA9B
        /// Type Bh, S, P, D/B, G: 32-bit code at CPL0.
        public static let code32: UInt16 = 0xC9B
        /// Type 3h (read/write, accessed), S, P, D/B, G: flat data.
        public static let data: UInt16 = 0xC93
        /// Type Bh (busy 64-bit TSS), P: a task register that VMRUN accepts.
        public static let busyTSS64: UInt16 = 0x08B
    }
}
