import HostModel

/// One run of the SVM harness: which SVM instruction L1 executes, how often, with which RAX,
/// EFER bits and VM_HSAVE_PA, and the VMCB and nested-guest code userspace writes before KVM_RUN.
/// The L1 code is always `SVMGuestProgram.l1Code(instruction)`.
public struct SVMGuestCase: Sendable, Hashable {
    public var name: String
    public var instruction: SVMGuestProgram.Instruction
    public var rounds: UInt32
    /// Added to the VMCB's RIP after each round (the nested guest's intercepted instruction length).
    public var skip: UInt64
    public var eferSet: UInt64
    public var rax: UInt64
    public var hostSave: UInt64
    /// The VMCB page as written before the run (`VMCBField.size` bytes).
    public var vmcb: [UInt8]
    /// The nested guest's code, at `GuestMemoryLayout.Harness.l2Code`.
    public var l2Code: [UInt8]
    /// Further pages to write (a second VMCB for VMLOAD/VMSAVE), by guest-physical address.
    public var pages: [Int: [UInt8]] = [:]
    /// L1's mode: 64-bit but for the nested run's 32-bit rounds.
    public var l1: SVMGuestProgram.L1Mode = .long64
    /// L1 executes CLGI before the loop (the vector starts with GIF = 0).
    public var clearGIF = false
    /// L1 runs the loop at CPL3 (the vector starts there).
    public var userMode = false
    /// L1 executes VMSAVE to `GuestMemoryLayout.SVM.readBack` after the instruction (VMLOAD's destination read back).
    public var readBack = false

    /// EFER.SVME (APM vol. 2, 15.4: SVM instructions #UD while it is clear).
    public static let svme: UInt64 = 1 << 12

    public init(name: String, instruction: SVMGuestProgram.Instruction, rounds: UInt32 = 1, skip: UInt64 = 0,
                eferSet: UInt64 = SVMGuestCase.svme, rax: UInt64 = UInt64(GuestMemoryLayout.SVM.vmcb),
                hostSave: UInt64 = UInt64(GuestMemoryLayout.SVM.hostSave), vmcb: [UInt8], l2Code: [UInt8] = []) {
        self.name = name
        self.instruction = instruction
        self.rounds = rounds
        self.skip = skip
        self.eferSet = eferSet
        self.rax = rax
        self.hostSave = hostSave
        self.vmcb = vmcb
        self.l2Code = l2Code
    }
}

/// What a VMCB page holds, read and written by `VMCBField` offset (little-endian).
public struct VMCBImage: Sendable, Hashable {
    public var bytes: [UInt8]

    public init(bytes: [UInt8] = [UInt8](repeating: 0, count: VMCBField.size)) {
        precondition(bytes.count == VMCBField.size, "a VMCB is one page")
        self.bytes = bytes
    }

    public subscript(field: VMCBField) -> UInt64 {
        get { read(at: field.rawValue, width: 8) }
        set { write(newValue, at: field.rawValue, width: 8) }
    }

    /// A 32-bit field (the intercept vectors, the ASID).
    public subscript(field32 field: VMCBField) -> UInt32 {
        get { UInt32(truncatingIfNeeded: read(at: field.rawValue, width: 4)) }
        set { write(UInt64(newValue), at: field.rawValue, width: 4) }
    }

    /// A segment of the state-save area: selector, attributes, limit, base (APM table B-2).
    public mutating func setSegment(_ field: VMCBField, selector: UInt16, attributes: UInt16, limit: UInt32, base: UInt64) {
        write(UInt64(selector), at: field.rawValue, width: 2)
        write(UInt64(attributes), at: field.rawValue + 2, width: 2)
        write(UInt64(limit), at: field.rawValue + 4, width: 4)
        write(base, at: field.rawValue + 8, width: 8)
    }

    public func read(at offset: Int, width: Int) -> UInt64 {
        (0..<width).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    public mutating func write(_ value: UInt64, at offset: Int, width: Int) {
        for i in 0..<width { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }
}

/// What userspace saw of one run of an `SVMGuestCase`.
public struct SVMGuestOutcome: Sendable, Hashable {
    /// One `roundDone` report: the VMCB as L1 left it, and L1's RAX and RBX at the report.
    public struct Round: Sendable, Hashable {
        public var vmcb: VMCBImage
        public var rax: UInt64
        public var rbx: UInt64
    }

    public var rounds: [Round]
    /// The VMCB page RAX named, after the run (when RAX is inside guest RAM): VMRUN's #VMEXIT writes there.
    public var raxPage: VMCBImage?
    /// L1's VMSAVE page at its last round report (`SVMGuestCase.readBack`).
    public var l1Saved: VMCBImage? = nil
    /// The exception L1's IDT reported, if any, and the round it happened in (1-based).
    public var fault: NestedRunEvidence.Fault?
    /// Every KVM exit, in order.
    public var exits: [GuestExit]
    /// L1 halted (after its last round, or in its fault handler).
    public var halted: Bool
    /// What ended the run otherwise (a shutdown, an unexpected exit, a KVM error).
    public var error: String?
}

/// One case's result as the `__guest-run --svm-vectors` child prints it: the parent classifies it
/// and compares the state it read back with the vector's `then` column.
public struct SVMCaseReport: Codable, Sendable, Hashable {
    /// One nonzero quadword of a VMCB page, by byte offset (the page's other quadwords are zero).
    public struct Word: Codable, Sendable, Hashable {
        public var offset: Int
        public var value: UInt64

        public init(offset: Int, value: UInt64) {
            self.offset = offset
            self.value = value
        }
    }

    public var name: String
    public var fault: NestedRunEvidence.Fault?
    /// EXITCODE of the VMCB at RAX after each round L1 completed.
    public var exitCodes: [UInt64]
    public var halted: Bool
    public var error: String?
    /// The page at RAX after the run (when RAX lies in guest RAM), as its nonzero quadwords.
    public var vmcb: [Word]?
    /// L1's VMSAVE of its own state after its last round (`SVMGuestCase.readBack`): FS, GS, TR,
    /// LDTR and the VMLOAD MSRs as the CPU held them, as nonzero quadwords.
    public var l1Saved: [Word]?

    public init(name: String, fault: NestedRunEvidence.Fault?, exitCodes: [UInt64], halted: Bool, error: String?,
                vmcb: [Word]? = nil, l1Saved: [Word]? = nil) {
        self.name = name
        self.fault = fault
        self.exitCodes = exitCodes
        self.halted = halted
        self.error = error
        self.vmcb = vmcb
        self.l1Saved = l1Saved
    }

    /// The page at RAX as a `VMCBImage`, nil when it was not read.
    public var vmcbImage: VMCBImage? { vmcb.map(Self.image) }
    /// L1's VMSAVE page as a `VMCBImage`, nil when there is none.
    public var l1SavedImage: VMCBImage? { l1Saved.map(Self.image) }

    /// The page the words describe (words outside the page or unaligned are ignored).
    public static func image(_ words: [Word]) -> VMCBImage {
        var image = VMCBImage()
        for w in words where w.offset >= 0 && w.offset % 8 == 0 && w.offset < VMCBField.size { image.write(w.value, at: w.offset, width: 8) }
        return image
    }

    /// The nonzero quadwords of `image`.
    public static func words(_ image: VMCBImage) -> [Word] {
        stride(from: 0, to: VMCBField.size, by: 8).compactMap { offset in
            let value = image.read(at: offset, width: 8)
            return value == 0 ? nil : Word(offset: offset, value: value)
        }
    }
}
