/// The differential run's programs: every Popek-Goldberg table instruction that can execute in a
/// KVM guest at CPL0, in real mode and long mode, plus the integer subset they are built from.
/// Each byte sequence is hand-assembled from the SDM Vol.2 opcode tables; the comment beside it
/// is the assembly. Results land in registers, on port 0x10, or at guest-physical 0x9000.
public enum X86TestCorpus {
    static let hlt: UInt8 = 0xF4

    public static let programs: [X86TestProgram] = long + real + X86UserModeCorpus.programs

    static let long: [X86TestProgram] = [
        .init("l-mov-add", .long64, "innocuous", [0xB8, 5, 0, 0, 0, 0x05, 7, 0, 0, 0, hlt], //   mov eax,5; add eax,7
              "SDM Vol.2 ADD (05 id), flags per Vol.1 3.4.3.1"),
        .init("l-sub-borrow", .long64, "innocuous", [0xB8, 1, 0, 0, 0, 0x2D, 2, 0, 0, 0, hlt], // mov eax,1; sub eax,2
              "SDM Vol.2 SUB (2D id): CF, SF, AF set, ZF clear"),
        .init("l-xor-and-or", .long64, "innocuous",
              [0x48, 0xB8, 0xF0, 0xDE, 0xBC, 0x9A, 0x78, 0x56, 0x34, 0x12, // mov rax, 0x123456789ABCDEF0
               0x48, 0xB9, 0x0F, 0x0F, 0x0F, 0x0F, 0xFF, 0x00, 0xFF, 0x00, // mov rcx, 0x00FF00FF0F0F0F0F
               0x48, 0x89, 0xC2, //                                          mov rdx, rax
               0x48, 0x31, 0xCA, //                                          xor rdx, rcx
               0x48, 0x89, 0xC3, //                                          mov rbx, rax
               0x48, 0x21, 0xCB, //                                          and rbx, rcx
               0x48, 0x09, 0xC8, hlt], //                                    or rax, rcx
              "SDM Vol.2 XOR/AND/OR (31/21/09 /r): CF=OF=0"),
        .init("l-loop-jnz", .long64, "innocuous", [0xB9, 10, 0, 0, 0, 0xFF, 0xC9, 0x75, 0xFC, hlt], // mov ecx,10; 1: dec ecx; jnz 1b
              "SDM Vol.2 DEC (FF /1) keeps CF; Jcc (75 cb)"),
        .init("l-cmp-jl", .long64, "innocuous",
              [0xB8, 3, 0, 0, 0, 0x83, 0xF8, 5, 0x7C, 0x05, 0xBB, 1, 0, 0, 0, 0xBE, 2, 0, 0, 0, hlt], // mov eax,3; cmp eax,5; jl +5; mov ebx,1; mov esi,2
              "SDM Vol.2 CMP (83 /7 ib), JL (7C cb: SF != OF)"),
        .init("l-imul64", .long64, "innocuous",
              [0x48, 0xB8, 0xF1, 0xDE, 0xBC, 0x9A, 0x78, 0x56, 0x34, 0x12,
               0x48, 0xB9, 0x21, 0x43, 0x65, 0x87, 0xA9, 0xCB, 0xED, 0x0F,
               0x48, 0x0F, 0xAF, 0xC1, hlt], //                               imul rax, rcx
              "SDM Vol.2 IMUL (REX.W 0F AF /r): CF=OF=1 when truncated"),
        .init("l-shl-shr", .long64, "innocuous", [0xB8, 1, 0, 0, 0x80, 0xD1, 0xE0, 0x89, 0xC3, 0xC1, 0xE8, 0x04, hlt], // mov eax,0x80000001; shl eax,1; mov ebx,eax; shr eax,4
              "SDM Vol.2 SAL/SHL (D1 /4), SHR (C1 /5 ib): CF is the last bit out"),
        .init("l-push-pop", .long64, "innocuous", [0xB8, 0x34, 0x12, 0, 0, 0x50, 0x5B, 0x6A, 0xFF, 0x59, hlt], // mov eax,0x1234; push rax; pop rbx; push -1; pop rcx
              "SDM Vol.2 PUSH (50+r, 6A ib sign-extended), POP (58+r)"),
        .init("l-call-ret", .long64, "innocuous", [0xE8, 1, 0, 0, 0, hlt, 0xB8, 42, 0, 0, 0, 0xC3], // call +1; hlt; mov eax,42; ret
              "SDM Vol.2 CALL (E8 cd), RET (C3)"),
        .init("l-lea", .long64, "innocuous", [0xBB, 0, 0x10, 0, 0, 0x48, 0x8D, 0x43, 0x10, 0x48, 0x8D, 0x0C, 0x5B, hlt], // mov ebx,0x1000; lea rax,[rbx+0x10]; lea rcx,[rbx+rbx*2]
              "SDM Vol.2 LEA (8D /r), SIB addressing (Table 2-3)"),
        .init("l-store", .long64, "innocuous",
              [0xBF, 0, 0x90, 0, 0, 0x48, 0xB8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x48, 0x89, 0x07, 0xC7, 0x47, 0x08, 0xEF, 0xBE, 0, 0, hlt], // mov edi,0x9000; mov rax,imm; mov [rdi],rax; mov dword [rdi+8],0xBEEF
              "SDM Vol.2 MOV (89 /r, C7 /0 id)"),
        .init("l-paging-alias", .long64, "innocuous",
              [0xBF, 0, 0, 0x1F, 0, 0xB8, 0x5A, 0x5A, 0, 0, 0x89, 0x07, 0xBE, 0, 0x90, 0, 0, 0x8B, 0x1E, hlt], // mov edi,0x1F0000; mov eax,0x5A5A; mov [rdi],eax; mov esi,0x9000; mov ebx,[rsi]
              "SDM Vol.3A 4.5 4-level paging: VA 0x1F0000 maps to 0x9000"),
        .init("l-out-imm", .long64, "IN/OUT", [0xB8, 0x44, 0x33, 0x22, 0x11, 0xE6, 0x10, 0xE7, 0x10, 0x66, 0xE7, 0x10, hlt], // out 0x10,al; out 0x10,eax; out 0x10,ax
              "SDM Vol.2 OUT (E6 ib, E7 ib); SDM Vol.3C 27.2.1 I/O exit qualification (size, port)"),
        .init("l-out-dx", .long64, "IN/OUT", [0xBA, 0xF8, 0x03, 0, 0, 0xB8, 0x41, 0, 0, 0, 0xEE, 0xEF, hlt], // mov edx,0x3F8; mov eax,0x41; out dx,al; out dx,eax
              "SDM Vol.2 OUT (EE, EF)"),
        .init("l-in", .long64, "IN/OUT", [0xB8, 0x11, 0x11, 0x11, 0x11, 0xE4, 0x10, 0x89, 0xC3, 0xBA, 0x60, 0, 0, 0, 0xED, hlt], // in al,0x10; mov ebx,eax; mov edx,0x60; in eax,dx
              "SDM Vol.2 IN (E4 ib, ED): AL keeps RAX[63:8]; EAX zero-extends; the runner answers 0xA5 bytes"),
        .init("l-ins-outs", .long64, "INS/OUTS",
              [0xBF, 0, 0x90, 0, 0, 0xBA, 0x10, 0, 0, 0, 0x6C, 0x6D, 0xBE, 0, 0x90, 0, 0, 0x6E, 0x6F, 0xFD, 0x6E, hlt], // insb; insd; outsb; outsd; std; outsb
              "SDM Vol.2 INS/OUTS (6C/6D/6E/6F): one element, rDI/rSI step by its size, backwards with DF"),
        .init("l-hlt", .long64, "HLT", [hlt], "SDM Vol.2 HLT; Vol.3C 26.1.3 HLT exiting"),
        .init("l-pushf", .long64, "PUSHF", [0x9C, 0x58, hlt], "SDM Vol.2 PUSHF: RF and VM read as 0"),
        .init("l-popf-cli-sti", .long64, "POPF",
              [0xB8, 0xD7, 0x0A, 0, 0, 0x50, 0x9D, 0x9C, 0x5B, 0xFA, 0x9C, 0x59, 0xFB, 0xFA, 0x9C, 0x5A, hlt], // mov eax,0xAD7; push; popf; pushf; pop rbx; cli; pushf; pop rcx; sti; cli; pushf; pop rdx
              "SDM Vol.2 POPF at CPL0 (all flags but VM, VIP, VIF), CLI, STI"),
        .init("l-sgdt-reset", .long64, "SGDT", [0xBF, 0, 0x90, 0, 0, 0x0F, 0x01, 0x07, hlt], // mov edi,0x9000; sgdt [rdi]
              "SDM Vol.2 SGDT (0F 01 /0); reset GDTR base 0 limit FFFFH (SDM Vol.3A Table 10-1)"),
        .init("l-sidt-reset", .long64, "SIDT", [0xBF, 0, 0x90, 0, 0, 0x0F, 0x01, 0x0F, hlt], // sidt [rdi]
              "SDM Vol.2 SIDT (0F 01 /1); reset IDTR base 0 limit FFFFH"),
        .init("l-lgdt-sgdt", .long64, "LGDT",
              [0xBF, 0, 0x90, 0, 0, 0xB8, 0x27, 0, 0x78, 0x56, 0x89, 0x07, 0xC7, 0x47, 0x04, 0x34, 0x12, 0, 0, // limit 0x27, base 0x12345678
               0x0F, 0x01, 0x17, 0x0F, 0x01, 0x47, 0x10, hlt], //                                                  lgdt [rdi]; sgdt [rdi+0x10]
              "SDM Vol.2 LGDT (0F 01 /2), SGDT: 64-bit base in 64-bit mode"),
        .init("l-lidt-sidt", .long64, "LIDT",
              [0xBF, 0, 0x90, 0, 0, 0xB8, 0xFF, 0x0F, 0x00, 0x70, 0x89, 0x07, 0xC7, 0x47, 0x04, 0, 0, 0, 0,
               0x0F, 0x01, 0x1F, 0x0F, 0x01, 0x4F, 0x10, hlt], //                                                  lidt [rdi]; sidt [rdi+0x10]
              "SDM Vol.2 LIDT (0F 01 /3), SIDT"),
        .init("l-smsw", .long64, "SMSW", [0x66, 0x0F, 0x01, 0xE0, 0x0F, 0x01, 0x26, hlt].withStore, // smsw ax; smsw [rsi]
              "SDM Vol.2 SMSW: CR0[15:0]"),
        .init("l-sldt-str", .long64, "SLDT", [0xB8, 0xFF, 0xFF, 0, 0, 0x0F, 0x00, 0xC0, 0xBB, 0xFF, 0xFF, 0, 0, 0x0F, 0x00, 0xCB, hlt], // sldt eax; str ebx
              "SDM Vol.2 SLDT, STR (0F 00 /0 /1): register form zero-extends"),
        .init("l-str", .long64, "STR", [0x0F, 0x00, 0xC9, hlt], "SDM Vol.2 STR (0F 00 /1)"),
        .init("l-mov-from-cr", .long64, "MOV CRn", [0x0F, 0x20, 0xC0, 0x0F, 0x20, 0xE3, 0x0F, 0x20, 0xD9, hlt], // mov rax,cr0; mov rbx,cr4; mov rcx,cr3
              "SDM Vol.2 MOV from CR (0F 20 /r)"),
        .init("l-mov-to-cr4", .long64, "MOV CRn", [0x0F, 0x20, 0xE0, 0x0D, 0, 0x02, 0, 0, 0x0F, 0x22, 0xE0, 0x0F, 0x20, 0xE3, hlt], // or eax,0x200 (OSFXSR); mov cr4,rax; mov rbx,cr4
              "SDM Vol.2 MOV to CR4 (0F 22 /r), CR4.OSFXSR bit 9"),
        .init("l-clts", .long64, "CLTS", [0x0F, 0x20, 0xC0, 0x83, 0xC8, 0x08, 0x0F, 0x22, 0xC0, 0x0F, 0x20, 0xC1, 0x0F, 0x06, 0x0F, 0x20, 0xC3, hlt], // set TS; mov rcx,cr0; clts; mov rbx,cr0
              "SDM Vol.2 CLTS (0F 06): clears CR0.TS"),
        .init("l-lmsw", .long64, "LMSW", [0x0F, 0x20, 0xC0, 0x83, 0xC8, 0x08, 0x0F, 0x01, 0xF0, 0x0F, 0x20, 0xC3, hlt], // or eax,8; lmsw ax; mov rbx,cr0
              "SDM Vol.2 LMSW (0F 01 /6): loads CR0[3:0], cannot clear PE"),
        .init("l-msr", .long64, "RDMSR", [0xB9, 0x74, 0x01, 0, 0, 0xB8, 0x10, 0, 0, 0, 0x31, 0xD2, 0x0F, 0x30, 0x31, 0xC0, 0x0F, 0x32, hlt], // wrmsr IA32_SYSENTER_CS=0x10; rdmsr
              "SDM Vol.2 WRMSR/RDMSR (0F 30, 0F 32); IA32_SYSENTER_CS (0x174)"),
        .init("l-mov-dr", .long64, "MOV DRn", [0xB8, 0x78, 0x56, 0x34, 0x12, 0x0F, 0x23, 0xC0, 0x0F, 0x21, 0xC3, 0x0F, 0x21, 0xF9, hlt], // mov dr0,rax; mov rbx,dr0; mov rcx,dr7
              "SDM Vol.2 MOV DR (0F 21/23); DR7 reset 400H (SDM Vol.3A Table 10-1)"),
        .init("l-invlpg", .long64, "INVLPG", [0xBF, 0, 0x90, 0, 0, 0x0F, 0x01, 0x3F, hlt], "SDM Vol.2 INVLPG (0F 01 /7)"),
        .init("l-wbinvd-invd", .long64, "WBINVD", [0x0F, 0x09, 0xB8, 1, 0, 0, 0, hlt], "SDM Vol.2 WBINVD (0F 09)"),
        .init("l-cpuid", .long64, "CPUID", [0x31, 0xC0, 0x0F, 0xA2, 0xBE, 7, 0, 0, 0, hlt], // xor eax,eax; cpuid; mov esi,7
              "SDM Vol.2 CPUID; Vol.3C 26.1.2 unconditional exit (handled in the kernel)", hostDefined: [0, 1, 2, 3]),
        .init("l-rdtsc", .long64, "RDTSC", [0x0F, 0x31, 0xBE, 9, 0, 0, 0, hlt], "SDM Vol.2 RDTSC", hostDefined: [0, 2]),
        .init("l-mov-sreg", .long64, "MOV from Sreg", [0x8C, 0xC8, 0x8C, 0xD3, hlt], // mov eax,cs; mov ebx,ss
              "SDM Vol.2 MOV (8C /r): the RPL of CS is the CPL"),
        .init("l-ud2-shutdown", .long64, "innocuous", [0x0F, 0x0B], "SDM Vol.2 UD2; with no IDT #UD escalates to a triple fault (Vol.3A 7.15)"),
    ]

    static let real: [X86TestProgram] = [
        .init("r-mov-add-out", .real, "IN/OUT", [0xB8, 0x34, 0x12, 0x05, 0x01, 0x01, 0xE7, 0x10, hlt], "SDM Vol.2 ADD, OUT; 16-bit operands in real mode"),
        .init("r-loop", .real, "innocuous", [0xB9, 5, 0, 0x49, 0x75, 0xFD, hlt], "SDM Vol.2 DEC (48+rw), JNZ"),
        .init("r-call-ret", .real, "innocuous", [0xE8, 1, 0, hlt, 0xB8, 0x42, 0, 0xC3], "SDM Vol.2 CALL (E8 cw), RET"),
        .init("r-int-iret", .real, "INT n",
              [0xC7, 0x06, 0x00, 0x01, 0x0F, 0x80, 0xC7, 0x06, 0x02, 0x01, 0, 0, 0xCD, 0x40, hlt, // IVT[0x40] = 0000:800F; int 0x40; hlt
               0xBB, 0x77, 0, 0x9C, 0x5A, 0xCF], //                                                mov bx,0x77; pushf; pop dx; iret
              "SDM Vol.2 INT n real-address mode (IVT at 0), IRET"),
        .init("r-far-jmp", .real, "JMP far", [0xEA, 7, 0, 0, 0x08, hlt, hlt, 0x8C, 0xC8, hlt], // jmp 0800:0007; mov ax,cs
              "SDM Vol.2 JMP ptr16:16 (EA): CS base = selector * 16"),
        .init("r-far-call-retf", .real, "CALL far", [0x9A, 7, 0, 0, 0x08, hlt, hlt, 0x8C, 0xCB, 0xCB], // call 0800:0007; mov bx,cs; retf
              "SDM Vol.2 CALL ptr16:16 (9A), RET far (CB)"),
        .init("r-mov-ds", .real, "MOV to Sreg", [0xB8, 0x00, 0x09, 0x8E, 0xD8, 0xC7, 0x06, 0x04, 0x00, 0xEF, 0xBE, hlt], // mov ds,0x900; mov word [4],0xBEEF
              "SDM Vol.2 MOV to Sreg (8E /r) in real mode: base = selector << 4"),
        .init("r-pushf-popf", .real, "POPF", [0x9C, 0x58, 0xFB, 0x9C, 0x5B, 0xFA, 0xB9, 0xD5, 0x08, 0x51, 0x9D, 0x9C, 0x5A, hlt], // pushf; pop ax; sti; pushf; pop bx; cli; push 0x8D5; popf; pushf; pop dx
              "SDM Vol.2 PUSHF/POPF (16-bit), CLI, STI"),
        .init("r-smsw", .real, "SMSW", [0x0F, 0x01, 0xE0, hlt], "SDM Vol.2 SMSW; CR0 reset 60000010H (SDM Vol.3A Table 10-1)"),
        .init("r-sgdt16", .real, "SGDT", [0xBF, 0, 0x90, 0x0F, 0x01, 0x05, 0x66, 0x0F, 0x01, 0x4D, 0x10, hlt], // sgdt [di]; o32 sidt [di+0x10]
              "SDM Vol.2 SGDT/SIDT with 16- and 32-bit operand size"),
        .init("r-lgdt-sgdt", .real, "LGDT",
              [0xBF, 0, 0x90, 0xC7, 0x05, 0x17, 0, 0xC7, 0x45, 0x02, 0x00, 0x50, 0xC7, 0x45, 0x04, 0x34, 0x12, // [di]=limit 0x17, base 0x12345000
               0x0F, 0x01, 0x15, 0x0F, 0x01, 0x45, 0x10, hlt], //                                                  lgdt [di] (16-bit: base & 0xFFFFFF); sgdt [di+0x10]
              "SDM Vol.2 LGDT with 16-bit operand: 24-bit base"),
        .init("r-out-dx", .real, "IN/OUT", [0xBA, 0x80, 0, 0xB8, 0x34, 0x12, 0xEF, 0xEE, hlt], "SDM Vol.2 OUT DX,AX / DX,AL"),
        .init("r-in", .real, "IN/OUT", [0xBA, 0x60, 0, 0xEC, 0x89, 0xC3, 0xE5, 0x10, hlt], // mov dx,0x60; in al,dx; mov bx,ax; in ax,0x10
              "SDM Vol.2 IN (EC, E5 ib) with 16-bit operands"),
        .init("r-ins-outs", .real, "INS/OUTS", [0xBF, 0, 0x90, 0xBA, 0x10, 0, 0x6C, 0x6D, 0xBE, 0, 0x90, 0x6E, 0x6F, hlt], // insb; insw; outsb; outsw
              "SDM Vol.2 INS/OUTS in real mode: ES:DI and DS:SI"),
        .init("r-mov-cr0", .real, "MOV CRn", [0x0F, 0x20, 0xC0, hlt], "SDM Vol.2 MOV from CR0 in real mode (CPL0)"),
        .init("r-imul-shl", .real, "innocuous", [0xB8, 0x2C, 0x01, 0xB9, 0x2C, 0x01, 0x0F, 0xAF, 0xC1, 0xD1, 0xE0, hlt], "SDM Vol.2 IMUL r16 (overflow sets CF/OF), SHL"),
        .init("r-hlt", .real, "HLT", [hlt], "SDM Vol.2 HLT"),
        .init("r-lidt-int", .real, "LIDT",
              [0xC7, 0x06, 0x00, 0x91, 0x26, 0x80, 0xC7, 0x06, 0x02, 0x91, 0x00, 0x00, // [0x9100] = 0000:8026 (vector 0x40 of an IVT at 0x9000)
               0xC7, 0x06, 0x00, 0x92, 0xFF, 0x03, 0xC7, 0x06, 0x02, 0x92, 0x00, 0x90, 0xC7, 0x06, 0x04, 0x92, 0x00, 0x00, // [0x9200] = limit 0x3FF, base 0x9000
               0x0F, 0x01, 0x1E, 0x00, 0x92, 0xCD, 0x40, hlt, //                  lidt [0x9200]; int 0x40; hlt
               0xBB, 0x55, 0x00, 0xCF], //                                         0x8026: mov bx,0x55; iret
              "SDM Vol.3A 21.1.4: LIDT moves the real-mode interrupt table; INT n reads IDTR.base + 4n"),
        .init("r-clts-lmsw", .real, "CLTS",
              [0x0F, 0x20, 0xC0, 0x83, 0xC8, 0x08, 0x0F, 0x22, 0xC0, 0x0F, 0x06, 0x0F, 0x20, 0xC3, 0x0F, 0x01, 0xF0, 0x0F, 0x20, 0xC1, hlt],
              "SDM Vol.2 MOV CR0, CLTS, LMSW in real mode (CPL0)"), //             set TS; clts; mov ebx,cr0; lmsw ax (TS again); mov ecx,cr0
        .init("r-msr", .real, "WRMSR",
              [0x66, 0xB9, 0x74, 0x01, 0, 0, 0x66, 0xB8, 0x10, 0, 0, 0, 0x66, 0x31, 0xD2, 0x0F, 0x30, 0x66, 0x31, 0xC0, 0x0F, 0x32, hlt],
              "SDM Vol.2 WRMSR/RDMSR in real mode: EDX:EAX, IA32_SYSENTER_CS"),
        .init("r-cpuid-rdtsc", .real, "CPUID", [0x66, 0x31, 0xC0, 0x0F, 0xA2, 0x0F, 0x31, 0xBE, 7, 0, hlt],
              "SDM Vol.2 CPUID, RDTSC in real mode", hostDefined: [0, 1, 2, 3]),
        .init("r-mov-dr", .real, "MOV DRn", [0x66, 0xB8, 0x34, 0x12, 0, 0, 0x0F, 0x23, 0xC0, 0x0F, 0x21, 0xC3, 0x0F, 0x21, 0xF1, hlt],
              "SDM Vol.2 MOV DR in real mode; DR6 reset FFFF0FF0H"),
        .init("r-invlpg-wbinvd", .real, "INVLPG", [0xBB, 0, 0x90, 0x0F, 0x01, 0x3F, 0x0F, 0x09, hlt], "SDM Vol.2 INVLPG [bx], WBINVD in real mode"),
    ]
}

private extension Array where Element == UInt8 {
    /// Prefixes `mov esi, 0x9000` so a program can store through RSI.
    var withStore: [UInt8] { [0xBE, 0x00, 0x90, 0x00, 0x00] + self }
}
