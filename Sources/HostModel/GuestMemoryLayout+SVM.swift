extension GuestMemoryLayout {
    /// Where the SVM harness keeps its structures, beside the long-mode guest's page tables,
    /// stack and code (all below 2 MiB, so identity-mapped by `pageTableEntries`). Every SVM
    /// structure is page-aligned as APM 15.5.1 (VMCB), 15.30.4 (VM_HSAVE_PA) and 15.10/15.11
    /// (IOPM, MSRPM) demand.
    public enum SVM {
        /// The VMCB whose physical address L1 loads into RAX, and VM_HSAVE_PA: the addresses the
        /// Emulator's `svm` vector base uses (`VectorBase.vmcbAddress`, `hsaveAddress`), so a
        /// vector's RAX and `vmcb@ADDR` settings mean the same page in the guest. (0x6000, which
        /// VMLOAD/VMSAVE vectors use as a second VMCB, is the page below `stackTop`: L1 pushes
        /// only in its exception handlers, at the top of it, where a VMCB has no fields.)
        public static let vmcb = 0x5000
        public static let hostSave = 0x7000
        /// The I/O permission map (12 KiB) and MSR permission map (8 KiB), zero: nothing intercepted.
        public static let iopm = 0x14000
        public static let msrpm = 0x18000
        /// A 32-bit L1's page tables (`SVMGuestProgram.pageTables32`): up to three pages from here,
        /// free in every other layout (between `Harness.parameters` and `Harness.l2Code`).
        public static let pageTables32 = 0xE000
        /// Where L1 executes VMSAVE after a VMLOAD under test: its FS, GS, TR, LDTR and the VMLOAD
        /// MSRs as the CPU holds them, for userspace to read back (after the 8 KiB MSRPM).
        public static let readBack = 0x1A000

        /// Offsets in the parameter block at `Harness.parameters` (each a little-endian quadword).
        public enum Parameter: Int, Sendable, CaseIterable {
            /// How many times L1 executes the instruction under test (a 32-bit count, decremented).
            case rounds = 0x00
            /// Added to the VMCB's RIP after each round: the length of the nested guest's
            /// intercepted instruction, so the next VMRUN resumes after it.
            case skip = 0x08
            /// ORed into EFER before the instruction (EFER.SVME, bit 12, or 0 to leave SVM off).
            case eferSet = 0x10
            /// RAX for the instruction (the VMCB's physical address).
            case rax = 0x18
            /// VM_HSAVE_PA (low and high halves, for WRMSR's EDX:EAX).
            case hostSave = 0x20
        }
    }
}
