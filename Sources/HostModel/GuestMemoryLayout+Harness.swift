extension GuestMemoryLayout {
    /// What the SVM and VMX harnesses' L1 programs share, beside the long-mode guest's page
    /// tables, stack and code (all below 2 MiB, identity-mapped by `pageTableEntries`): the GDT,
    /// IDT and exception handlers through which L1 reports a fault, the parameter block userspace
    /// fills before KVM_RUN (each architecture its own offsets), and the nested guest's code and stack.
    public enum Harness {
        /// Null, 64-bit code at `codeSelector`, flat data at `dataSelector`, their DPL-3 twins at
        /// `userDataSelector` and `userCodeSelector`, TR's slot, and 32-bit code at `code32Selector`.
        public static let gdt = 0xA000
        /// Ring-3 selectors (GDT entries 3 and 4, RPL 3): an SVM L1 drops to CPL3 with IRETQ for
        /// the vectors that start there.
        public static let userDataSelector: UInt16 = 0x1B
        public static let userCodeSelector: UInt16 = 0x23
        /// The selector TR names in a ring-3 case (its TSS is loaded through KVM_SET_SREGS, so the
        /// GDT holds no descriptor for it).
        public static let tssSelector: UInt16 = 0x28
        /// The 32-bit code segment of a 32-bit SVM L1 and its nested guest (GDT entry 6).
        public static let code32Selector: UInt16 = 0x30
        /// The 64-bit TSS (in the GDT's page, after the descriptors): RSP0, the stack an exception
        /// taken at CPL3 switches to (SDM vol. 3 7.7, figure 7-11).
        public static let tss = 0xA800
        public static let tssLimit = 0x67
        /// 32 64-bit interrupt gates (16 bytes each), one per exception vector.
        public static let idt = 0xB000
        /// One 16-byte stub per exception vector, then the common reporting code.
        public static let handlers = 0xC000
        public static let handlerStride = 16
        public static let handlerCommon = 0xC200
        /// The parameter block (`SVM.Parameter`, `VMX.Parameter`).
        public static let parameters = 0xD000
        /// The nested (L2) guest's code and the top of its stack page.
        public static let l2Code = 0x12000
        public static let l2StackTop = 0x14000
    }
}
