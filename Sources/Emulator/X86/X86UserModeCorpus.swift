/// CPL3 programs inside the guest: a CPL0 prologue makes the page tables user-accessible, builds
/// a GDT with ring-3 segments and enters ring 3 with IRETQ (IOPL 3, so OUT can report); the body
/// then runs at CPL3. Results go out on port 0x10; a privileged instruction at CPL3 raises #GP,
/// which with no IDT ends in a triple fault (shutdown), so those programs report a marker first.
public enum X86UserModeCorpus {
    static let hlt: UInt8 = 0xF4
    /// `mov eax, imm8; out 0x10, eax`: a marker the body sends before what may fault.
    static func report(_ value: UInt8) -> [UInt8] { [0xB8, value, 0, 0, 0, 0xE7, 0x10] }
    /// `out 0x10, eax`
    static let out: [UInt8] = [0xE7, 0x10]
    /// `pushfq; pop rax; and eax, 0x40; out 0x10, eax`: reports ZF.
    static let reportZF: [UInt8] = [0x9C, 0x58, 0x83, 0xE0, 0x40, 0xE7, 0x10]

    /// GDT at 0xA000: null, kernel code 0x08, kernel data 0x10, user code 0x18 (selector 0x1B),
    /// user data 0x20 (selector 0x23); 64-bit code has L=1 (SDM Vol.3A 3.4.5, 5.2.1).
    static let descriptors: [UInt64] = [0x00AF_9A00_0000_FFFF, 0x00CF_9200_0000_FFFF, 0x00AF_FA00_0000_FFFF, 0x00CF_F200_0000_FFFF]

    /// How a program's CPL0 prologue ends: IRETQ or RETFQ to ring 3, or staying at CPL0.
    enum Entry { case iretq, retfq, stay }

    /// Addresses of the interrupt handlers an `interrupts` prologue points its IDT at.
    struct Handlers {
        var reportAndHalt: UInt32 = 0, reportAndReturn: UInt32 = 0, generalProtection: UInt32 = 0
    }

    static func le(_ value: UInt64, _ bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) } }

    /// A 64-bit interrupt gate to `offset` in the kernel CS (SDM Vol.3A 7.14.1, Figure 7-8).
    static func gate(_ offset: UInt32, dpl: UInt64) -> UInt64 {
        UInt64(offset & 0xFFFF) | 0x08 << 16 | (0x8E | dpl << 5) << 40 | UInt64(offset >> 16) << 48
    }

    /// The CPL0 prologue: user-accessible page tables, the GDT, optionally CR4 bits (then marker
    /// 0xC4) and, with `interrupts`, a 64-bit TSS (RSP0 0x6000, loaded with LTR as 0x28) and an IDT
    /// at 0xC000 (#GP and vectors 0x40 DPL 3, 0x41 DPL 0, 0x42 DPL 0); then the entry to ring 3.
    static func prologue(cr4: UInt32, entry: UInt32, enter: Entry = .iretq, interrupts: Bool = false,
                         handlers: Handlers = Handlers()) -> [UInt8] {
        var code: [UInt8] = []
        for table: UInt8 in [0x10, 0x20, 0x30] { //           mov edi, table; or qword [rdi], 4 (U/S)
            code += [0xBF, 0x00, table, 0, 0, 0x48, 0x83, 0x0F, 0x04]
        }
        code += [0xBF, 0x00, 0x40, 0, 0, 0xB9, 0x00, 0x02, 0, 0, // mov edi, 0x4000; mov ecx, 512
                 0x48, 0x83, 0x0F, 0x04, 0x48, 0x83, 0xC7, 0x08, //  1: or qword [rdi], 4; add rdi, 8
                 0xFF, 0xC9, 0x75, 0xF4, //                          dec ecx; jnz 1b
                 0x0F, 0x20, 0xD8, 0x0F, 0x22, 0xD8, //              mov rax, cr3; mov cr3, rax (flush)
                 0xBF, 0x00, 0xA0, 0, 0, 0x48, 0x31, 0xC0, 0x48, 0x89, 0x07] // mov edi, 0xA000; xor rax, rax; mov [rdi], rax
        // With interrupts, GDT entry 5-6 (0x28) is the 16-byte TSS descriptor: base 0xB000, limit 0x67, type 9.
        let entries = descriptors + (interrupts ? [0x0000_8900_B000_0067] : [])
        for (i, d) in entries.enumerated() { //               mov rax, d; mov [rdi+8*(i+1)], rax
            code += [0x48, 0xB8] + le(d, 8) + [0x48, 0x89, 0x47, UInt8(8 * (i + 1))]
        }
        let limit: UInt8 = interrupts ? 0x37 : 0x27
        code += [0xC7, 0x87, 0x00, 0x01, 0, 0, limit, 0x00, 0x00, 0xA0, // GDTR at 0xA100: base 0xA000
                 0xC7, 0x87, 0x04, 0x01, 0, 0, 0, 0, 0, 0,
                 0xC7, 0x87, 0x08, 0x01, 0, 0, 0, 0, 0, 0,
                 0x0F, 0x01, 0x97, 0x00, 0x01, 0, 0] //               lgdt [rdi+0x100]
        if interrupts {
            code += [0xC7, 0x04, 0x25, 0x04, 0xB0, 0, 0, 0x00, 0x60, 0, 0] //        mov dword [0xB004], 0x6000 (RSP0)
            code += [0xB8, 0x28, 0, 0, 0, 0x0F, 0x00, 0xD8] //                       mov eax, 0x28; ltr ax
            code += [0xBE, 0x00, 0xC0, 0, 0] //                                      mov esi, 0xC000
            for (vector, target, dpl) in [(13, handlers.generalProtection, UInt64(0)), (0x40, handlers.reportAndHalt, 3),
                                          (0x41, handlers.reportAndHalt, 0), (0x42, handlers.reportAndReturn, 0)] {
                code += [0x48, 0xB8] + le(gate(target, dpl: dpl), 8) + [0x48, 0x89, 0x86] + le(UInt64(vector * 16), 4)
            }
            code += [0xC7, 0x87, 0x10, 0x01, 0, 0, 0x2F, 0x04, 0x00, 0xC0, //       IDTR at 0xA110: limit 0x42F, base 0xC000
                     0x0F, 0x01, 0x9F, 0x10, 0x01, 0, 0] //                         lidt [rdi+0x110]
        }
        if cr4 != 0 { //                                       mov rax, cr4; or eax, bits; mov cr4, rax; report 0xC4
            code += [0x0F, 0x20, 0xE0, 0x0D] + le(UInt64(cr4), 4) + [0x0F, 0x22, 0xE0]
            code += report(0xC4)
        }
        switch enter {
        case .iretq: //                                        push SS, RSP, RFLAGS (IOPL 3), CS, RIP; iretq
            code += [0x6A, 0x23, 0x68, 0x00, 0x70, 0, 0, 0x68, 0x02, 0x30, 0, 0, 0x6A, 0x1B, 0x68] + le(UInt64(entry), 4) + [0x48, 0xCF]
        case .retfq: //                                        IOPL 3 (pushfq; pop rax; or eax, 0x3000; push rax; popfq),
            code += [0x9C, 0x58, 0x0D, 0x00, 0x30, 0, 0, 0x50, 0x9D] // then push SS, RSP, CS, RIP; retfq
            code += [0x6A, 0x23, 0x68, 0x00, 0x70, 0, 0, 0x6A, 0x1B, 0x68] + le(UInt64(entry), 4) + [0x48, 0xCB]
        case .stay:
            break
        }
        return code
    }

    /// The handlers: report RSP, the pushed CS and SS, then HLT (or IRETQ); the #GP handler
    /// reports the error code and the faulting CS, then HLTs at CPL0.
    static let reportAndHalt: [UInt8] = [0x48, 0x89, 0xE0] + out + [0x48, 0x8B, 0x44, 0x24, 0x08] + out
        + [0x48, 0x8B, 0x44, 0x24, 0x20] + out + [hlt]
    static let reportAndReturn: [UInt8] = [0x48, 0x89, 0xE0] + out + [0x48, 0x8B, 0x44, 0x24, 0x08] + out
        + [0x48, 0x8B, 0x44, 0x24, 0x20] + out + [0x48, 0xCF]
    static let generalProtection: [UInt8] = [0x48, 0x8B, 0x04, 0x24] + out + [0x48, 0x8B, 0x44, 0x24, 0x10] + out + [hlt]

    static func user(_ name: String, _ instruction: String, _ body: [UInt8], _ reference: String, cr4: UInt32 = 0,
                     enter: Entry = .iretq, interrupts: Bool = false) -> X86TestProgram {
        let length = prologue(cr4: cr4, entry: 0, enter: enter, interrupts: interrupts).count
        let entry = UInt32(0x8000 + length)
        var code = body
        var handlers = Handlers()
        if interrupts {
            let base = entry + UInt32(body.count)
            handlers = Handlers(reportAndHalt: base, reportAndReturn: base + UInt32(reportAndHalt.count),
                                generalProtection: base + UInt32(reportAndHalt.count + reportAndReturn.count))
            code += reportAndHalt + reportAndReturn + generalProtection
        }
        code = prologue(cr4: cr4, entry: entry, enter: enter, interrupts: interrupts, handlers: handlers) + code
        return X86TestProgram(name, .long64, instruction, code, reference)
    }

    /// A privileged instruction at CPL3: the marker, then #GP(0), then shutdown (SDM Vol.3A 5.9).
    static func privileged(_ name: String, _ instruction: String, _ bytes: [UInt8]) -> X86TestProgram {
        user(name, instruction, report(0x55) + [0xBF, 0x00, 0xA1, 0, 0] + bytes + report(0x66) + [hlt],
             "SDM Vol.3A 5.9: \(instruction) is privileged, #GP(0) at CPL3; no IDT, so a triple fault")
    }

    public static let programs: [X86TestProgram] = [
        user("u-mov-sreg", "MOV from Sreg", [0x8C, 0xC8] + out + [0x8C, 0xD0] + out + [0x8C, 0xD8] + out + [hlt],
             "SDM Vol.2 IRET: CS.RPL = 3 after the return; DS nulled (its DPL 0 < CPL)"),
        user("u-pushf", "PUSHF", [0x9C, 0x58] + out + [hlt], "SDM Vol.2 PUSHF at CPL3: IOPL and IF visible"),
        user("u-popf", "POPF", [0x68, 0x00, 0x02, 0, 0, 0x9D, 0x9C, 0x58] + out + [hlt],
             "SDM Vol.2 POPF at CPL3: IOPL kept (silently), IF loaded since CPL <= IOPL"),
        user("u-cli-sti", "CLI/STI", [0xFB, 0x9C, 0x58] + out + [0xFA, 0x9C, 0x58] + out + [hlt],
             "SDM Vol.2 CLI/STI: allowed at CPL3 when IOPL = 3"),
        user("u-sgdt", "SGDT", [0xBF, 0, 0x90, 0, 0, 0x0F, 0x01, 0x07, 0x8B, 0x47, 0x02] + out + [0x8B, 0x07] + out + [hlt],
             "SDM Vol.2 SGDT at CPL3 with CR4.UMIP = 0: stores the real GDTR (base 0xA000, limit 0x27)"),
        user("u-sidt", "SIDT", [0xBF, 0, 0x90, 0, 0, 0x0F, 0x01, 0x0F, 0x8B, 0x47, 0x02] + out + [0x8B, 0x07] + out + [hlt],
             "SDM Vol.2 SIDT at CPL3 with CR4.UMIP = 0"),
        user("u-sldt", "SLDT", [0x0F, 0x00, 0xC0] + out + [hlt], "SDM Vol.2 SLDT at CPL3 with CR4.UMIP = 0"),
        user("u-str", "STR", [0x0F, 0x00, 0xC8] + out + [hlt], "SDM Vol.2 STR at CPL3 with CR4.UMIP = 0"),
        user("u-smsw", "SMSW", [0x31, 0xC0, 0x66, 0x0F, 0x01, 0xE0] + out + [hlt], "SDM Vol.2 SMSW at CPL3: CR0[15:0]"),
        user("u-lar", "LAR", [0xB9, 0x1B, 0, 0, 0, 0x0F, 0x02, 0xC1, 0x89, 0xC3] + reportZF // lar eax, ecx; mov ebx, eax; ZF
                 + [0x89, 0xD8, 0x25, 0x00, 0xFF, 0xF0, 0x00] + out //                              mov eax, ebx; and eax, 0x00F0FF00
                 + [0xB9, 0x08, 0, 0, 0, 0x0F, 0x02, 0xC1] + reportZF + [hlt],
             "SDM Vol.2 LAR: own CS visible (ZF=1, accessed bit set by the load), DPL-0 CS not (ZF=0)"),
        user("u-lsl", "LSL", [0xB9, 0x23, 0, 0, 0, 0x0F, 0x03, 0xC1] + out + [0xB9, 0x10, 0, 0, 0, 0x0F, 0x03, 0xC1] + reportZF + [hlt],
             "SDM Vol.2 LSL: granular limit 0xFFFFFFFF; DPL-0 data not visible at CPL3"),
        user("u-verr-verw", "VERR", [0xB9, 0x1B, 0, 0, 0, 0x0F, 0x00, 0xE1] + reportZF + [0x0F, 0x00, 0xE9] + reportZF
                 + [0xB9, 0x08, 0, 0, 0, 0x0F, 0x00, 0xE1] + reportZF + [0xB9, 0x23, 0, 0, 0, 0x0F, 0x00, 0xE9] + reportZF + [hlt],
             "SDM Vol.2 VERR/VERW: code readable not writable, DPL 0 invisible, own data writable"),
        user("u-cpuid", "CPUID", [0x31, 0xC0, 0x0F, 0xA2] + report(1) + [hlt], "SDM Vol.2 CPUID: unprivileged (no faulting enabled)"),
        user("u-rdtsc", "RDTSC", [0x0F, 0x31] + report(2) + [hlt], "SDM Vol.2 RDTSC: allowed at CPL3 with CR4.TSD = 0"),
        user("u-rdtsc-tsd", "RDTSC", [0x0F, 0x31] + report(2) + [hlt], "SDM Vol.2 RDTSC: #GP(0) at CPL3 with CR4.TSD = 1", cr4: 0x4),
        user("u-sgdt-umip", "SGDT", [0xBF, 0, 0x90, 0, 0, 0x0F, 0x01, 0x07] + report(3) + [hlt],
             "SDM Vol.2 SGDT: #GP(0) at CPL3 with CR4.UMIP = 1", cr4: 0x800),
        user("u-in", "IN/OUT", [0xBA, 0x60, 0, 0, 0, 0xEC] + out + [hlt], "SDM Vol.1 19.5: IN at CPL3 with IOPL 3"),
        user("u-ins-outs", "INS/OUTS", [0xBF, 0, 0x90, 0, 0, 0xBA, 0x10, 0, 0, 0, 0x6C, 0xBE, 0, 0x90, 0, 0, 0x6F, hlt],
             "SDM Vol.2 INS/OUTS at CPL3 with IOPL 3, into user-accessible memory"),
        user("u-out", "IN/OUT", report(0x77) + [0xBA, 0x80, 0, 0, 0, 0xEE, hlt], "SDM Vol.1 19.5: OUT at CPL3 with IOPL 3"),
        user("u-retf", "RET far", [0x8C, 0xC8] + out + [0x8C, 0xD0] + out + [hlt],
             "SDM Vol.2 RET far to an outer ring (REX.W CB): pops RIP, CS, RSP, SS", enter: .retfq),
        user("u-int-dpl3", "INT n", [0xCD, 0x40], "SDM Vol.2 INT n from CPL3 through a DPL-3 gate: stack from TSS.RSP0 (0x6000), frame SS 0x23 CS 0x1B",
             interrupts: true),
        user("u-int-dpl0", "INT n", [0xCD, 0x41], "SDM Vol.2 INT n: gate DPL 0 < CPL 3 raises #GP(0x41*8+2)", interrupts: true),
        user("u-hlt-gp", "HLT", [hlt], "SDM Vol.3A 5.9: HLT at CPL3 raises #GP(0), delivered to the #GP handler", interrupts: true),
        user("l-int-iretq", "IRET", [0xCD, 0x42] + report(0x99) + [hlt],
             "SDM Vol.2 INT n at CPL0 (frame on the same stack, 16-byte aligned) and IRETQ back", enter: .stay, interrupts: true),
        user("l-ltr-str", "LTR", [0x0F, 0x00, 0xC8] + out + [0xB9, 0x28, 0, 0, 0, 0x0F, 0x02, 0xC1, 0x25, 0x00, 0xFF, 0xF0, 0x00] + out + [hlt],
             "SDM Vol.2 LTR marks the TSS busy (type 0xB); STR then reads 0x28", enter: .stay, interrupts: true),
        user("l-lldt-null", "LLDT", [0x31, 0xC0, 0x0F, 0x00, 0xD0, 0x0F, 0x00, 0xC3, 0x89, 0xD8] + out + [hlt],
             "SDM Vol.2 LLDT with a null selector: LDTR unusable, SLDT reads 0", enter: .stay),
        privileged("u-hlt", "HLT", [hlt]),
        privileged("u-rdmsr", "RDMSR", [0xB9, 0x74, 0x01, 0, 0, 0x0F, 0x32]),
        privileged("u-wrmsr", "WRMSR", [0xB9, 0x74, 0x01, 0, 0, 0x0F, 0x30]),
        privileged("u-lgdt", "LGDT", [0x0F, 0x01, 0x17]),
        privileged("u-lidt", "LIDT", [0x0F, 0x01, 0x1F]),
        privileged("u-lmsw", "LMSW", [0x0F, 0x01, 0xF0]),
        privileged("u-clts", "CLTS", [0x0F, 0x06]),
        privileged("u-mov-cr0", "MOV CRn", [0x0F, 0x20, 0xC0]),
        privileged("u-mov-dr7", "MOV DRn", [0x0F, 0x21, 0xF8]),
        privileged("u-invlpg", "INVLPG", [0x0F, 0x01, 0x3F]),
        privileged("u-wbinvd", "WBINVD", [0x0F, 0x09]),
        privileged("u-invd", "INVD", [0x0F, 0x08]),
    ]
}
