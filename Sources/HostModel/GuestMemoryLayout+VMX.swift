extension GuestMemoryLayout {
    /// Where the VMX harness keeps its structures, beside the long-mode guest's and the shared
    /// `Harness` pages (all below 2 MiB, identity-mapped). The vectors' VMXON, VMCS and shadow
    /// regions (`VectorBase.vmxonRegion` 0x1000 ...) fall on the guest's own page tables, so the
    /// harness moves the vectors' low physical memory into a window: vector address A below
    /// `windowSize` is guest-physical `window + A`. A page offset is kept, so an unaligned
    /// address stays unaligned, and every address the harness moves stays far below any
    /// physical-address width.
    public enum VMX {
        public static let window = 0x20000
        public static let windowSize = 0x10000
        /// The VMWRITE table L1 walks after VMPTRLD: (encoding, value) quadword pairs. It and
        /// `writesAfterExit` sit above the SVM harness's `readBack`, apart from every SVM page
        /// (`SVM.pageTables32` has 0xE000-0x10FFF), so no address means two things.
        public static let writes = 0x1B000
        public static let maxWrites = 256
        /// The VMWRITE table L1 walks after the set-up's VM entry and exit (a `launched` start):
        /// the vector's own changes, written to the launched VMCS.
        public static let writesAfterExit = 0x1C000

        /// The guest-physical address of vector address `address`, or nil where it lies beyond the window.
        public static func relocated(_ address: UInt64) -> UInt64? {
            address < UInt64(windowSize) ? UInt64(window) + address : nil
        }

        /// Offsets in the parameter block at `Harness.parameters` (each a little-endian quadword):
        /// what userspace writes before KVM_RUN, then what L1 writes back.
        public enum Parameter: Int, Sendable, CaseIterable {
            /// CR0 and CR4 L1 loads first (CR4.VMXE among them, or not).
            case cr0 = 0x00
            case cr4 = 0x08
            /// How far L1 goes before the instruction: 0 outside VMX operation, 1 after VMXON,
            /// 2 with a current VMCS (VMCLEAR, VMPTRLD and the VMWRITE table), 3 with that VMCS
            /// launched (VMLAUNCH, the nested guest's VMCALL exit, the second VMWRITE table).
            case stage = 0x10
            /// The m64 operands of the set-up's VMXON and of its VMCLEAR/VMPTRLD.
            case vmxonPointer = 0x18
            case vmcsPointer = 0x20
            /// How many pairs of the VMWRITE table to write.
            case writeCount = 0x28
            /// The m64 memory operand of the instruction under test (VMPTRST's destination).
            case operand = 0x30
            /// RCX, RDX and RAX for the instruction: a field encoding, a VMWRITE value, an
            /// INVEPT/INVVPID type, VMFUNC's leaf.
            case rcx = 0x38
            case rdx = 0x40
            case rax = 0x48
            /// The 128-bit INVEPT/INVVPID descriptor.
            case descriptor = 0x50
            /// How many pairs of the after-exit VMWRITE table to write.
            case writeCountAfterExit = 0x60
            /// Written by L1: RFLAGS after the instruction, RAX after it (VMREAD's destination),
            /// the VM-instruction error (VMREAD 4400h) after a VMfailValid.
            case rflags = 0x80
            case raxAfter = 0x88
            case instructionError = 0x90
            /// 1 when L1 reached the VMCS's host RIP (a VM exit or a failed VM entry), with the
            /// exit reason (4402h) and qualification (6400h) it read there.
            case exited = 0x98
            case exitReason = 0xA0
            case exitQualification = 0xA8
            /// The set-up step L1 is at (`VMXGuestProgram.Step`), RFLAGS of a failed set-up step,
            /// and how many VMWRITEs were left when one failed.
            case step = 0xB0
            case setupFlags = 0xB8
            case writesLeft = 0xC0
        }
    }
}
