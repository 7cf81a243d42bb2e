import HostModel
import Testing
@testable import Emulator

/// Hand-written vectors for the guest-code interpreter: bytes assembled from the SDM Vol.2
/// opcode tables, results worked out by hand from the SDM's operation sections (cited per test).
struct X86InterpreterTests {
    static func run(_ mode: X86State.Mode, _ code: [UInt8]) -> X86Interpreter {
        X86TestProgram("t", mode, "innocuous", code, "").predict()
    }

    /// SDM Vol.2 SUB, Vol.1 3.4.3.1: 1 - 2 = 0xFFFFFFFF borrows (CF), is negative (SF), borrows
    /// from bit 4 (AF), has eight 1s in its low byte (PF); a 32-bit result clears RAX[63:32].
    @Test func subtractionSetsEveryStatusFlag() {
        let i = Self.run(.long64, [0x48, 0xC7, 0xC0, 0xFF, 0xFF, 0xFF, 0xFF, 0xB8, 1, 0, 0, 0, 0x2D, 2, 0, 0, 0, 0xF4])
        #expect(i.state.gpr[0] == 0xFFFF_FFFF)
        #expect(i.state.rflags & 0x8D5 == 0x95) // CF | PF | AF | SF
        #expect(i.exits.map(\.reason) == ["hlt"])
    }

    /// SDM Vol.2 IMUL: CF=OF=1 when the signed product does not fit; 300*300 = 90000 = 0x15F90.
    @Test func imulTruncationSetsCarryAndOverflow() {
        let i = Self.run(.real, [0xB8, 0x2C, 0x01, 0xB9, 0x2C, 0x01, 0x0F, 0xAF, 0xC1, 0xF4])
        #expect(i.state.gpr[0] == 0x5F90)
        #expect(i.state.rflags & 0x801 == 0x801)
        #expect(i.undefinedFlags & 0xD4 == 0xD4) // SF ZF AF PF undefined
    }

    /// SDM Vol.2 OUT (E7 ib): with a 66 prefix in 64-bit mode the operand is 16 bits.
    @Test func outExitsCarryPortSizeAndValue() {
        let i = Self.run(.long64, [0xB8, 0x44, 0x33, 0x22, 0x11, 0xE7, 0x10, 0x66, 0xE7, 0x21, 0xF4])
        #expect(i.exits == [
            GuestExit(reason: "io", code: 2, port: 0x10, size: 4, direction: "out", value: 0x1122_3344),
            GuestExit(reason: "io", code: 2, port: 0x21, size: 2, direction: "out", value: 0x3344),
            GuestExit(reason: "hlt", code: 5),
        ])
    }

    /// SDM Vol.2 SGDT: with a 16-bit operand outside 64-bit mode the base's top byte stores as 0;
    /// LGDT with a 16-bit operand loads a 24-bit base.
    @Test func sixteenBitDescriptorTableBasesAre24Bits() {
        let code: [UInt8] = [0xBF, 0, 0x90, 0xC7, 0x05, 0x17, 0, 0xC7, 0x45, 0x02, 0x00, 0x50, 0xC7, 0x45, 0x04, 0x34, 0x12,
                             0x0F, 0x01, 0x15, 0x0F, 0x01, 0x45, 0x10, 0xF4]
        let i = Self.run(.real, code)
        #expect(i.state.gdtrBase == 0x34_5000)
        #expect(i.state.gdtrLimit == 0x17)
        #expect(Array(i.state.memory[0x9010..<0x9016]) == [0x17, 0, 0x00, 0x50, 0x34, 0x00])
    }

    /// SDM Vol.2 LMSW: loads CR0[3:0] but cannot clear PE; SMSW reads CR0[15:0].
    @Test func lmswCannotClearProtectionEnable() {
        let i = Self.run(.long64, [0x31, 0xC0, 0x0F, 0x01, 0xF0, 0x66, 0x0F, 0x01, 0xE3, 0xF4]) // xor eax,eax; lmsw ax; smsw bx
        #expect(i.state.cr0 & 1 == 1)
        #expect(i.state.gpr[3] == 0x11)
    }

    /// SDM Vol.2 INT n (real-address mode): pushes FLAGS, CS, IP, clears IF, vectors through the
    /// IVT; IRET restores them.
    @Test func realModeInterruptGoesThroughTheIVT() throws {
        let program = try #require(X86TestCorpus.programs.first { $0.name == "r-int-iret" })
        let i = program.predict()
        #expect(i.state.gpr[3] == 0x77)
        #expect(i.state.gpr[2] & 0x200 == 0) // IF clear inside the handler
        #expect(i.state.gpr[4] == 0x7000) // the stack balanced
        #expect(i.state.rip == 0x800F)
    }

    /// SDM Vol.3A 21.1.4: real-mode INT n reads the vector at IDTR.base + 4n, so LIDT moves the
    /// table; the handler at 0000:8026 sets BX and IRET returns to the HLT at 0x8025.
    @Test func realModeLIDTMovesTheInterruptTable() throws {
        let program = try #require(X86TestCorpus.programs.first { $0.name == "r-lidt-int" })
        let i = program.predict()
        #expect(i.state.idtrBase == 0x9000 && i.state.idtrLimit == 0x3FF)
        #expect(i.state.gpr[3] == 0x55)
        #expect(i.state.rip == 0x8026)
        #expect(i.exits.map(\.reason) == ["hlt"])
    }

    /// SDM Vol.3A 7.15: with no IDT, #UD escalates to a triple fault (KVM_EXIT_SHUTDOWN).
    @Test func faultsWithoutAnIDTShutDown() {
        let i = Self.run(.long64, [0x0F, 0x0B])
        #expect(i.exits.map(\.reason) == ["shutdown"])
    }

    /// The paging alias GuestRunner sets up: VA 0x1F0000 lands at physical 0x9000.
    @Test func longModeTranslatesThroughThePageTables() {
        let i = Self.run(.long64, [0xBF, 0, 0, 0x1F, 0, 0xB8, 0x5A, 0x5A, 0, 0, 0x89, 0x07, 0xF4])
        #expect(i.state.memory[0x9000] == 0x5A && i.state.memory[0x9001] == 0x5A)
        #expect(i.state.memory[0x1F_0000] == 0)
    }

    /// An opcode outside the subset is reported, not guessed.
    @Test func unsupportedOpcodesStopTheRun() {
        let i = Self.run(.long64, [0x0F, 0xFF, 0xF4])
        #expect(i.unsupported?.contains("0x0f 0xff") == true)
        #expect(i.exits.isEmpty)
    }

    /// Every table instruction that executes at CPL0 in a KVM guest has a program, in both modes
    /// where the mode allows it; names are unique.
    @Test func theCorpusCoversTheTable() {
        let covered = Set(X86TestCorpus.programs.map(\.instruction))
        for name in ["SGDT", "SIDT", "SLDT", "STR", "SMSW", "PUSHF", "POPF", "MOV from Sreg", "MOV to Sreg", "CALL far",
                     "JMP far", "RET far", "IRET", "INT n", "CPUID", "RDTSC", "LGDT", "LIDT", "LLDT", "LTR", "LMSW", "CLTS",
                     "MOV CRn", "MOV DRn", "HLT", "INVD", "WBINVD", "INVLPG", "RDMSR", "WRMSR", "IN/OUT", "INS/OUTS", "CLI/STI",
                     "LAR", "LSL", "VERR"] {
            #expect(covered.contains(name), "\(name)")
        }
        #expect(Set(X86TestCorpus.programs.map(\.name)).count == X86TestCorpus.programs.count)
        #expect(X86TestCorpus.programs.count >= 40)
        for program in X86TestCorpus.programs { #expect(program.predict().unsupported == nil, "\(program.name)") }
    }
}

/// CPL3 inside the guest: the SDM's prediction for the user-mode programs, worked by hand.
struct X86UserModeTests {
    static func exits(_ name: String) throws -> [String] {
        let program = try #require(X86UserModeCorpus.programs.first { $0.name == name })
        let i = program.predict()
        #expect(i.unsupported == nil, "\(name): \(i.unsupported ?? "")")
        return i.exits.map { $0.reason == "io" ? String($0.value ?? 0, radix: 16) : $0.reason }
    }

    /// SDM Vol.2 IRET: returning to CPL3 loads CS 0x1B and SS 0x23 and nulls DS (DPL 0 < CPL).
    @Test func iretqEntersRingThree() throws {
        #expect(try Self.exits("u-mov-sreg") == ["1b", "23", "0", "shutdown"])
    }

    /// SDM Vol.2 POPF: at CPL3 IOPL stays 3 although 0 was popped; IF loads because CPL <= IOPL.
    @Test func popfAtRingThreeKeepsIOPL() throws {
        #expect(try Self.exits("u-popf") == ["3202", "shutdown"])
        #expect(try Self.exits("u-pushf") == ["3002", "shutdown"])
    }

    /// SDM Vol.2 LAR: descriptor 0x00AFFA000000FFFF with the accessed bit the CS load set, masked
    /// with 00F0FF00H = 0x00A0FB00, ZF=1; the DPL-0 kernel CS is invisible at CPL3 (ZF=0).
    @Test func larSeesOnlyItsOwnRing() throws {
        #expect(try Self.exits("u-lar") == ["40", "a0fb00", "0", "shutdown"])
        #expect(try Self.exits("u-lsl") == ["ffffffff", "0", "shutdown"])
        #expect(try Self.exits("u-verr-verw") == ["40", "0", "0", "40", "shutdown"])
    }

    /// CR4.TSD and CR4.UMIP make RDTSC and SGDT fault at CPL3; without them they run.
    @Test func tsdAndUMIPTurnTheGapsIntoTraps() throws {
        #expect(try Self.exits("u-rdtsc") == ["2", "shutdown"])
        #expect(try Self.exits("u-rdtsc-tsd") == ["c4", "shutdown"])
        #expect(try Self.exits("u-sgdt") == ["a000", "a0000027", "shutdown"])
        #expect(try Self.exits("u-sgdt-umip") == ["c4", "shutdown"])
    }

    /// SDM Vol.2 INT n and Vol.3A 7.14: from CPL3 through a DPL-3 gate the handler runs on
    /// TSS.RSP0 (0x6000 - 5 * 8 = 0x5FD8) with the user CS 0x1B and SS 0x23 in the frame; a DPL-0
    /// gate gives #GP(0x41 * 8 + 2 = 0x20A); HLT gives #GP(0); at CPL0 the frame stays on the
    /// 16-byte aligned stack (0x7000 - 40) and IRETQ returns.
    @Test func interruptsAndExceptionsGoThroughTheIDT() throws {
        #expect(try Self.exits("u-int-dpl3") == ["5fd8", "1b", "23", "hlt"])
        #expect(try Self.exits("u-int-dpl0") == ["20a", "1b", "hlt"])
        #expect(try Self.exits("u-hlt-gp") == ["0", "1b", "hlt"])
        #expect(try Self.exits("l-int-iretq") == ["6fd8", "8", "10", "99", "hlt"])
    }

    /// SDM Vol.2 LTR marks the TSS descriptor busy (type 9 -> 0xB: LAR 0x8B00); LLDT 0 leaves
    /// SLDT reading 0; RETFQ to ring 3 pops RIP, CS, RSP, SS.
    @Test func taskRegisterLDTAndFarReturn() throws {
        #expect(try Self.exits("l-ltr-str") == ["28", "8b00", "hlt"])
        #expect(try Self.exits("l-lldt-null") == ["0", "hlt"])
        #expect(try Self.exits("u-retf") == ["1b", "23", "shutdown"])
    }

    /// SDM Vol.3A 5.9: every privileged instruction faults at CPL3 after the marker.
    @Test(arguments: ["u-hlt", "u-rdmsr", "u-wrmsr", "u-lgdt", "u-lidt", "u-lmsw", "u-clts", "u-mov-cr0", "u-mov-dr7",
                      "u-invlpg", "u-wbinvd", "u-invd"])
    func privilegedInstructionsTrapAtRingThree(_ name: String) throws {
        #expect(try Self.exits(name) == ["55", "shutdown"])
    }
}

/// Port input: the runner answers every IN with 0xA5 bytes, and the interpreter says so.
struct X86PortInputTests {
    /// SDM Vol.2 IN: AL replaces only RAX[7:0]; IN EAX zero-extends in 64-bit mode.
    @Test func inReplacesOnlyTheOperandWidth() {
        let i = X86InterpreterTests.run(.long64, [0x48, 0xC7, 0xC0, 0x11, 0x11, 0x11, 0x11, 0xE4, 0x10, 0x48, 0x89, 0xC3, 0xED, 0xF4])
        #expect(i.state.gpr[3] == 0x1111_11A5)
        #expect(i.state.gpr[0] == 0xA5A5_A5A5)
        #expect(i.exits.first == GuestExit(reason: "io", code: 2, port: 0x10, size: 1, direction: "in"))
    }

    /// SDM Vol.2 INS/OUTS: with DF set the index steps backwards by the element size.
    @Test func stringIOStepsByElementAndDirection() {
        // mov edi,0x9004; mov edx,0x10; std; insd; (edi now 0x9000)
        let i = X86InterpreterTests.run(.long64, [0xBF, 0x04, 0x90, 0, 0, 0xBA, 0x10, 0, 0, 0, 0xFD, 0x6D, 0xF4])
        #expect(i.state.gpr[7] == 0x9000)
        #expect(Array(i.state.memory[0x9004..<0x9008]) == [0xA5, 0xA5, 0xA5, 0xA5])
    }
}
