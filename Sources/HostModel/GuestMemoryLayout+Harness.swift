extension GuestMemoryLayout {
    /// What the SVM and VMX harnesses' L1 programs share, beside the long-mode guest's page
    /// tables, stack and code (all below 2 MiB, identity-mapped by `pageTableEntries`): the GDT,
    /// IDT and exception handlers through which L1 reports a fault, the parameter block userspace
    /// fills before KVM_RUN (each architecture its own offsets), and the nested guest's code and stack.
    public enum Harness {
        /// Three descriptors: null, 64-bit code at `codeSelector`, flat data at `dataSelector`.
        public static let gdt = 0xA000
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
