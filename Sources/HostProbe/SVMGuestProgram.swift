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

    /// The L1 code, loaded at `GuestMemoryLayout.entry`, with `instruction` in its slot.
    public static func l1Code(_ instruction: Instruction) -> [UInt8] {
        let p = GuestMemoryLayout.Harness.parameters
        var code: [UInt8] = []
        code += [0xB9] + L1Harness.le32(0xC000_0080) //                 mov ecx, C0000080h (EFER)     (B8+r id)
        code += [0x0F, 0x32] //                               rdmsr                         (0F 32)
        code += [0x0B, 0x04, 0x25] + L1Harness.le32(p + Layout.Parameter.eferSet.rawValue) // or eax, [eferSet] (0B /r, ModRM 00 000 100, SIB 25h: disp32)
        code += [0x0F, 0x30] //                               wrmsr                         (0F 30)
        code += [0xB9] + L1Harness.le32(0xC001_0117) //                 mov ecx, C0010117h (VM_HSAVE_PA)
        code += [0x8B, 0x04, 0x25] + L1Harness.le32(p + Layout.Parameter.hostSave.rawValue) //     mov eax, [hostSave]     (8B /r, ModRM 00 000 100)
        code += [0x8B, 0x14, 0x25] + L1Harness.le32(p + Layout.Parameter.hostSave.rawValue + 4) // mov edx, [hostSave+4]   (8B /r, ModRM 00 010 100)
        code += [0x0F, 0x30] //                               wrmsr
        let loop = code.count
        code += [0x48, 0x8B, 0x04, 0x25] + L1Harness.le32(p + Layout.Parameter.rax.rawValue) // loop: mov rax, [rax param] (REX.W 8B /r)
        code += instruction.bytes //                          the instruction under test    (0F 01 D8..DF)
        code += [0xE6, UInt8(Port.roundDone)] //              out 13h, al                   (E6 ib)
        code += [0x48, 0x8B, 0x04, 0x25] + L1Harness.le32(p + Layout.Parameter.skip.rawValue) //   mov rax, [skip]         (REX.W 8B /r)
        code += [0x48, 0x01, 0x04, 0x25] + L1Harness.le32(Layout.vmcb + VMCBField.rip.rawValue) //  add [VMCB.RIP], rax     (REX.W 01 /r)
        code += [0xFF, 0x0C, 0x25] + L1Harness.le32(p + Layout.Parameter.rounds.rawValue) //        dec dword [rounds]      (FF /1, ModRM 00 001 100)
        code += [0x75, UInt8(bitPattern: Int8(loop - (code.count + 2)))] //               jnz loop                (75 cb)
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
    /// Where the nested guest's HLT sits, and its length (what L1 adds to the VMCB's RIP).
    public static let l2HaltOffset = 7
    public static let l2HaltLength = 1
    public static let l2RAXStep: UInt64 = 7
}
