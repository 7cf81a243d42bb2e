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
/// Every exception L1 takes goes through its IDT (`L1Harness`) to a handler that reports it.
public enum SVMGuestProgram {
    public typealias Layout = GuestMemoryLayout.SVM

    /// The port L1 reports on besides `L1Harness.Port`'s fault ports.
    public enum Port {
        /// One round of the instruction under test is done (VMRUN returned after #VMEXIT).
        public static let roundDone = 0x13
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

    /// L1's operating and paging mode. Every case runs a 64-bit L1 but the nested run's 32-bit
    /// ones: in the lab, kvm_amd 6.1 fails a 32-bit L1 on #VMEXIT from a nested guest with paging
    /// off (2-level paging without nested paging, PAE with it) while a 64-bit one works, so
    /// `kvm.nested` says which modes work (APM vol. 2, 5.2-5.3: legacy and PAE paging).
    public enum L1Mode: String, Sendable, Hashable, CaseIterable {
        /// Long mode, 4-level paging (`GuestRunner.prepare`'s start state).
        case long64 = "64-bit, 4-level paging"
        /// 32-bit protected mode, PAE paging (CR4.PAE).
        case pae32 = "32-bit, PAE paging"
        /// 32-bit protected mode, 2-level (non-PAE) paging.
        case legacy32 = "32-bit, 2-level paging"

        public var is32Bit: Bool { self != .long64 }
    }

    /// A 32-bit L1's page tables, identity-mapping the guest's 2 MiB in 4 KiB pages, in pages the
    /// harness leaves free (`Layout.pageTables32`): (CR3, every entry as address, value, width);
    /// nil for a 64-bit L1, whose tables `GuestRunner.prepare` builds.
    public static func pageTables32(_ mode: L1Mode) -> (cr3: Int, entries: [(address: Int, value: UInt64, width: Int)])? {
        let base = Layout.pageTables32, rw: UInt64 = 0x3, pages = GuestMemoryLayout.memorySize >> 12
        switch mode {
        case .long64:
            return nil
        case .legacy32: //                             PD -> PT of 4-byte entries (SDM vol. 3 figure 4-4)
            let pt = base + 0x1000
            return (base, [(base, UInt64(pt) | rw, 4)] + (0..<pages).map { (pt + 4 * $0, UInt64($0 << 12) | rw, 4) })
        case .pae32: //                                PDPT -> PD -> PT of 8-byte entries; a PDPTE has only P (bits 2:1 reserved)
            let pd = base + 0x1000, pt = base + 0x2000
            return (base, [(base, UInt64(pd) | 0x1, 8), (pd, UInt64(pt) | rw, 8)] + (0..<pages).map { (pt + 8 * $0, UInt64($0 << 12) | rw, 8) })
        }
    }

    /// The L1 code, loaded at `GuestMemoryLayout.entry`, with `instruction` in its slot. A 32-bit
    /// L1 runs the same code without the REX.W prefixes (its quadword loads become doublewords:
    /// every address and count here fits in 32 bits).
    /// `clearGIF`: L1 sets EFER.SVME, executes CLGI and puts EFER.SVME back as the case has it,
    /// before the loop (for vectors that start with GIF = 0). `userMode` (a 64-bit L1 only): L1 drops to CPL3 with
    /// IRETQ before the loop and ends with OUT 17h instead of HLT (for vectors that start at CPL3).
    /// `readBack`: after the instruction L1 executes VMSAVE to `Layout.readBack`, so that what a
    /// VMLOAD loaded can be read back as the CPU holds it.
    public static func l1Code(_ instruction: Instruction, l1: L1Mode = .long64, clearGIF: Bool = false, userMode: Bool = false,
                              readBack: Bool = false) -> [UInt8] {
        precondition(!(userMode && l1.is32Bit), "the ring-3 prelude is IRETQ: a 64-bit L1's")
        let p = GuestMemoryLayout.Harness.parameters
        let rexW: [UInt8] = l1.is32Bit ? [] : [0x48]
        let svme = UInt32(SVMGuestCase.svme)
        var code: [UInt8] = []
        code += [0xB9] + L1Harness.le32(0xC000_0080) //                 mov ecx, C0000080h (EFER)     (B8+r id)
        code += [0x0F, 0x32] //                               rdmsr                         (0F 32)
        if clearGIF {
            code += [0x0D] + L1Harness.le32(svme) //                    or eax, 1000h (SVME)          (0D id)
            code += [0x0F, 0x30] //                           wrmsr
            code += Instruction.clgi.bytes //                 clgi                          (0F 01 DD)
            code += [0x25] + L1Harness.le32(~svme) //                   and eax, ~1000h               (25 id)
        }
        code += [0x0B, 0x04, 0x25] + L1Harness.le32(p + Layout.Parameter.eferSet.rawValue) // or eax, [eferSet] (0B /r, ModRM 00 000 100, SIB 25h: disp32)
        code += [0x0F, 0x30] //                               wrmsr                         (0F 30)
        code += [0xB9] + L1Harness.le32(0xC001_0117) //                 mov ecx, C0010117h (VM_HSAVE_PA)
        code += [0x8B, 0x04, 0x25] + L1Harness.le32(p + Layout.Parameter.hostSave.rawValue) //     mov eax, [hostSave]     (8B /r, ModRM 00 000 100)
        code += [0x8B, 0x14, 0x25] + L1Harness.le32(p + Layout.Parameter.hostSave.rawValue + 4) // mov edx, [hostSave+4]   (8B /r, ModRM 00 010 100)
        code += [0x0F, 0x30] //                               wrmsr
        if userMode {
            // IRETQ's frame (SDM vol. 3 figure 6-9, 64-bit): SS, RSP, RFLAGS, CS, RIP = the loop.
            code += [0x6A, UInt8(GuestMemoryLayout.Harness.userDataSelector)] // push 1Bh                       (6A ib)
            code += [0x68] + L1Harness.le32(GuestMemoryLayout.stackTop) // push stackTop               (68 id)
            code += [0x68] + L1Harness.le32(userRFLAGS) //              push 3002h (IOPL 3)           (68 id)
            code += [0x6A, UInt8(GuestMemoryLayout.Harness.userCodeSelector)] // push 23h                       (6A ib)
            code += [0x68] + L1Harness.le32(GuestMemoryLayout.entry + code.count + 5 + 2) // push loop (68 id)
            code += [0x48, 0xCF] //                           iretq                         (REX.W CF)
        }
        let loop = code.count
        code += rexW + [0x8B, 0x04, 0x25] + L1Harness.le32(p + Layout.Parameter.rax.rawValue) // loop: mov rax, [rax param] (REX.W 8B /r)
        code += instruction.bytes //                          the instruction under test    (0F 01 D8..DF)
        if readBack {
            code += [0xB8] + L1Harness.le32(Layout.readBack) //         mov eax, readBack (zero-extends) (B8+r id)
            code += Instruction.vmsave.bytes //               vmsave                        (0F 01 DB)
        }
        code += [0xE6, UInt8(Port.roundDone)] //              out 13h, al                   (E6 ib)
        code += rexW + [0x8B, 0x04, 0x25] + L1Harness.le32(p + Layout.Parameter.skip.rawValue) //   mov rax, [skip]         (REX.W 8B /r)
        code += rexW + [0x01, 0x04, 0x25] + L1Harness.le32(Layout.vmcb + VMCBField.rip.rawValue) //  add [VMCB.RIP], rax     (REX.W 01 /r)
        code += [0xFF, 0x0C, 0x25] + L1Harness.le32(p + Layout.Parameter.rounds.rawValue) //        dec dword [rounds]      (FF /1, ModRM 00 001 100)
        code += [0x75, UInt8(bitPattern: Int8(loop - (code.count + 2)))] //               jnz loop                (75 cb)
        if userMode { code += [0xE6, UInt8(L1Harness.Port.finished)] } // out 17h, al                 (HLT faults at CPL3)
        code += [0xF4] //                                     hlt
        return code
    }

    /// The nested guest of the round-trip run (64-bit, at `Harness.l2Code`): every round adds 7 to
    /// RAX (which #VMEXIT saves in the VMCB) and 1 to RBX (which it leaves for L1 to see), then
    /// executes HLT, intercepted; L1 resumes it past the HLT, at the jump back.
    public static let l2RoundTrip: [UInt8] = [
        0x48, 0x83, 0xC0, 0x07, // 0: add rax, 7        (REX.W 83 /0 ib)
        0x48, 0xFF, 0xC3, //       4: inc rbx           (REX.W FF /0, ModRM 11 000 011)
        0xF4, //                   7: hlt               (intercepted: #VMEXIT 78h)
        0xEB, 0xF6, //             8: jmp 0             (EB cb, -10)
    ]
    /// The nested guest of a 32-bit L1's round trip (32-bit protected mode, paging off, at
    /// `Harness.l2Code`): the same program without REX prefixes.
    public static let l2RoundTrip32: [UInt8] = [
        0x83, 0xC0, 0x07, //       0: add eax, 7        (83 /0 ib)
        0xFF, 0xC3, //             3: inc ebx           (FF /0, ModRM 11 000 011)
        0xF4, //                   5: hlt               (intercepted: #VMEXIT 78h)
        0xEB, 0xF8, //             6: jmp 0             (EB cb, -8)
    ]
    public static let l2HaltOffset32 = 5
    /// Where the nested guest's HLT sits, and its length (what L1 adds to the VMCB's RIP).
    public static let l2HaltOffset = 7
    public static let l2HaltLength = 1
    public static let l2RAXStep: UInt64 = 7
}
