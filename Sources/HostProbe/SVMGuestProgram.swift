import HostModel

/// The SVM harness's guest code, hand-assembled like `GuestProgram` (each instruction's encoding
/// beside its bytes: Intel SDM vol. 2 opcode tables, AMD APM vol. 3 for the SVM instructions).
/// One generic L1 program serves every case: userspace writes the parameter block
/// (`GuestMemoryLayout.SVM.Parameter`) and the VMCB before KVM_RUN and reads them back after.
///
/// L1, in 64-bit mode at CPL0 (the long-mode start state of `GuestRunner.prepare`):
///
///     EFER |= [eferSet]; VM_HSAVE_PA = [hostSave]
///     loop: RAX = [rax]; <instruction>; OUT 13h ("round done"); VMCB.RIP += [skip]
///           if --[rounds] != 0 goto loop
///     HLT
///
/// Every exception L1 takes goes through its IDT to a stub that reports the vector, the error
/// code (0 for vectors without one) and the faulting RIP on ports 14h, 15h and 16h, then halts.
public enum SVMGuestProgram {
    public typealias Layout = GuestMemoryLayout.SVM

    /// Ports L1 reports on.
    public enum Port {
        /// One round of the instruction under test is done (VMRUN returned after #VMEXIT).
        public static let roundDone = 0x13
        public static let faultVector = 0x14
        public static let faultErrorCode = 0x15
        public static let faultRIP = 0x16
        /// L1 finished its rounds at CPL3, where HLT would fault: userspace ends the run here.
        public static let finished = 0x17
    }

    /// RFLAGS L1 runs with at CPL3: bit 1, and IOPL 3 so that its OUTs (the reports) do not fault.
    static let userRFLAGS: UInt32 = 0x3002

    /// The SVM instructions the slot can hold: `0F 01 /3` with the ModRM byte naming the
    /// instruction (APM vol. 3, "SVM instructions"; SDM vol. 2 table A-6, group 7 mod=11 reg=011).
    public enum Instruction: UInt8, Sendable, CaseIterable {
        case vmrun = 0xD8
        case vmmcall = 0xD9
        case vmload = 0xDA
        case vmsave = 0xDB
        case stgi = 0xDC
        case clgi = 0xDD
        case skinit = 0xDE
        case invlpga = 0xDF

        public var bytes: [UInt8] { [0x0F, 0x01, rawValue] }
    }

    /// Exception vectors that push an error code (SDM vol. 3 table 6-1; APM vol. 2 table 8-1,
    /// where 21 (#CP), 29 (#VC) and 30 (#SX) also push one).
    public static let vectorsWithErrorCode: Set<UInt8> = [8, 10, 11, 12, 13, 14, 17, 21, 29, 30]

    /// The L1 code, loaded at `GuestMemoryLayout.entry`, with `instruction` in its slot.
    /// `clearGIF`: L1 sets EFER.SVME, executes CLGI and puts EFER.SVME back as the case has it,
    /// before the loop (for vectors that start with GIF = 0). `userMode`: L1 drops to CPL3 with
    /// IRETQ before the loop and ends with OUT 17h instead of HLT (for vectors that start at CPL3).
    /// `readBack`: after the instruction L1 executes VMSAVE to `Layout.readBack`, so that what a
    /// VMLOAD loaded can be read back as the CPU holds it.
    public static func l1Code(_ instruction: Instruction, clearGIF: Bool = false, userMode: Bool = false, readBack: Bool = false) -> [UInt8] {
        let p = Layout.parameters
        let svme = UInt32(SVMGuestCase.svme)
        var code: [UInt8] = []
        code += [0xB9] + le32(0xC000_0080) //                 mov ecx, C0000080h (EFER)     (B8+r id)
        code += [0x0F, 0x32] //                               rdmsr                         (0F 32)
        if clearGIF {
            code += [0x0D] + le32(svme) //                    or eax, 1000h (SVME)          (0D id)
            code += [0x0F, 0x30] //                           wrmsr
            code += Instruction.clgi.bytes //                 clgi                          (0F 01 DD)
            code += [0x25] + le32(~svme) //                   and eax, ~1000h               (25 id)
        }
        code += [0x0B, 0x04, 0x25] + le32(p + Layout.Parameter.eferSet.rawValue) // or eax, [eferSet] (0B /r, ModRM 00 000 100, SIB 25h: disp32)
        code += [0x0F, 0x30] //                               wrmsr                         (0F 30)
        code += [0xB9] + le32(0xC001_0117) //                 mov ecx, C0010117h (VM_HSAVE_PA)
        code += [0x8B, 0x04, 0x25] + le32(p + Layout.Parameter.hostSave.rawValue) //     mov eax, [hostSave]     (8B /r, ModRM 00 000 100)
        code += [0x8B, 0x14, 0x25] + le32(p + Layout.Parameter.hostSave.rawValue + 4) // mov edx, [hostSave+4]   (8B /r, ModRM 00 010 100)
        code += [0x0F, 0x30] //                               wrmsr
        if userMode {
            // IRETQ's frame (SDM vol. 3 figure 6-9, 64-bit): SS, RSP, RFLAGS, CS, RIP = the loop.
            code += [0x6A, UInt8(Layout.userDataSelector)] // push 1Bh                       (6A ib)
            code += [0x68] + le32(GuestMemoryLayout.stackTop) // push stackTop               (68 id)
            code += [0x68] + le32(userRFLAGS) //              push 3002h (IOPL 3)           (68 id)
            code += [0x6A, UInt8(Layout.userCodeSelector)] // push 23h                       (6A ib)
            code += [0x68] + le32(GuestMemoryLayout.entry + code.count + 5 + 2) // push loop (68 id)
            code += [0x48, 0xCF] //                           iretq                         (REX.W CF)
        }
        let loop = code.count
        code += [0x48, 0x8B, 0x04, 0x25] + le32(p + Layout.Parameter.rax.rawValue) // loop: mov rax, [rax param] (REX.W 8B /r)
        code += instruction.bytes //                          the instruction under test    (0F 01 D8..DF)
        if readBack {
            code += [0xB8] + le32(Layout.readBack) //         mov eax, readBack (zero-extends) (B8+r id)
            code += Instruction.vmsave.bytes //               vmsave                        (0F 01 DB)
        }
        code += [0xE6, UInt8(Port.roundDone)] //              out 13h, al                   (E6 ib)
        code += [0x48, 0x8B, 0x04, 0x25] + le32(p + Layout.Parameter.skip.rawValue) //   mov rax, [skip]         (REX.W 8B /r)
        code += [0x48, 0x01, 0x04, 0x25] + le32(Layout.vmcb + VMCBField.rip.rawValue) //  add [VMCB.RIP], rax     (REX.W 01 /r)
        code += [0xFF, 0x0C, 0x25] + le32(p + Layout.Parameter.rounds.rawValue) //        dec dword [rounds]      (FF /1, ModRM 00 001 100)
        code += [0x75, UInt8(bitPattern: Int8(loop - (code.count + 2)))] //               jnz loop                (75 cb)
        if userMode { code += [0xE6, UInt8(Port.finished)] } // out 17h, al                 (HLT faults at CPL3)
        code += [0xF4] //                                     hlt
        return code
    }

    /// The nested guest of the round-trip run (64-bit, at `Layout.l2Code`): every round adds 7 to
    /// RAX (which #VMEXIT saves in the VMCB) and 1 to RBX (which it leaves for L1 to see), then
    /// executes HLT, intercepted; L1 resumes it past the HLT, at the jump back.
    public static let l2RoundTrip: [UInt8] = [
        0x48, 0x83, 0xC0, 0x07, // 0: add rax, 7        (REX.W 83 /0 ib)
        0x48, 0xFF, 0xC3, //       4: inc rbx           (REX.W FF /0, ModRM 11 000 011)
        0xF4, //                   7: hlt               (intercepted: #VMEXIT 78h)
        0xEB, 0xF6, //             8: jmp 0             (EB cb, -10)
    ]
    /// Where the nested guest's HLT sits, and its length (what L1 adds to the VMCB's RIP).
    public static let l2HaltOffset = 7
    public static let l2HaltLength = 1
    public static let l2RAXStep: UInt64 = 7

    /// One 16-byte stub per exception vector (at `Layout.handlers + 16 * vector`): it pushes a 0
    /// where the CPU pushed no error code, then the vector, and jumps to the common code.
    public static func handlerStub(vector: UInt8) -> [UInt8] {
        let at = Layout.handlers + Layout.handlerStride * Int(vector)
        var stub: [UInt8] = vectorsWithErrorCode.contains(vector) ? [] : [0x6A, 0x00] // push 0   (6A ib)
        stub += [0x6A, vector] //                                                            push vector (6A ib)
        let rel = Layout.handlerCommon - (at + stub.count + 5)
        stub += [0xE9] + le32(UInt32(bitPattern: Int32(rel))) //                            jmp common  (E9 cd)
        return stub + [UInt8](repeating: 0xCC, count: Layout.handlerStride - stub.count) //  int3 padding
    }

    /// The common handler: reports the vector, error code and RIP from the stack, then halts.
    public static let handlerCommon: [UInt8] = [
        0x58, //                   pop rax              (58+r: the vector)
        0xE7, UInt8(Port.faultVector), //     out 14h, eax (E7 ib)
        0x58, //                   pop rax              (the error code, or the stub's 0)
        0xE7, UInt8(Port.faultErrorCode), //  out 15h, eax
        0x58, //                   pop rax              (the RIP the CPU pushed)
        0xE7, UInt8(Port.faultRIP), //        out 16h, eax
        0xF4, //                   hlt
        0xEB, 0xFD, //             jmp hlt              (EB cb, -3)
    ]

    /// The 64-bit interrupt gate for `vector` (SDM vol. 3 figure 6-8): offset 15:0, selector,
    /// IST 0, type Eh (interrupt gate) with P and DPL 0, offset 31:16; then offset 63:32 (zero).
    public static func idtGate(vector: UInt8) -> (low: UInt64, high: UInt64) {
        let offset = UInt64(Layout.handlers + Layout.handlerStride * Int(vector))
        let low = (offset & 0xFFFF) | UInt64(GuestMemoryLayout.codeSelector) << 16 | 0x8E << 40 | (offset >> 16 & 0xFFFF) << 48
        return (low, offset >> 32)
    }

    /// The GDT: null; 64-bit code (base 0, limit FFFFFh, G, L, P, S, type Bh); flat data (G, D/B,
    /// P, S, type 3h); the same data and code with DPL 3. SDM vol. 3 figure 3-8. Exception
    /// delivery loads CS from it, IRETQ to CPL3 the user selectors.
    public static let gdt: [UInt64] = [0, 0x00AF_9B00_0000_FFFF, 0x00CF_9300_0000_FFFF, 0x00CF_F300_0000_FFFF, 0x00AF_FB00_0000_FFFF]

    static func le32(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    static func le32(_ value: Int) -> [UInt8] { le32(UInt32(value)) }
}
