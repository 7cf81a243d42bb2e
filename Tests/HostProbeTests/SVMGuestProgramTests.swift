import Foundation
import HostModel
import Reporting
import Testing
@testable import HostProbe

/// The SVM harness's hand-assembled bytes decode as their comments say (checked with binutils'
/// objdump, an independent disassembler), the VMCB offsets are the APM's, and a run's outcome is
/// judged round by round.
struct SVMGuestProgramTests {
    /// objdump's Intel-syntax decoding of `bytes` loaded at `address`: one "mnemonic operands" per
    /// instruction; `machine` "i386:x86-64" for 64-bit code, "i386" for 32-bit code.
    static func disassemble(_ bytes: [UInt8], at address: Int, machine: String = "i386:x86-64") throws -> [String] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("svm-\(UUID().uuidString).bin")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/objdump")
        p.arguments = ["-D", "-b", "binary", "-m", machine, "-M", "intel", "--adjust-vma=\(address)", file.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return out.split(separator: "\n").compactMap { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            // "   12000:\t48 83 c0 07 \tadd    rax,0x7": address, bytes, instruction.
            guard columns.count >= 3, columns[0].hasSuffix(":"), columns[0].dropLast().allSatisfy({ $0 == " " || $0.isHexDigit }) else { return nil }
            return columns[2].split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
    }

    @Test func theL1CodeDecodesAsWritten() throws {
        let code = SVMGuestProgram.l1Code(.vmrun)
        let loop = GuestMemoryLayout.entry + 37
        #expect(try Self.disassemble(code, at: GuestMemoryLayout.entry) == [
            "mov ecx,0xc0000080", "rdmsr", "or eax,DWORD PTR ds:0xd010", "wrmsr",
            "mov ecx,0xc0010117", "mov eax,DWORD PTR ds:0xd020", "mov edx,DWORD PTR ds:0xd024", "wrmsr",
            "mov rax,QWORD PTR ds:0xd018", "vmrun", "out 0x13,al",
            "mov rax,QWORD PTR ds:0xd008", "add QWORD PTR ds:0x5578,rax", "dec DWORD PTR ds:0xd000",
            "jne 0x\(String(loop, radix: 16))", "hlt",
        ])
        // The slot holds each SVM instruction (APM vol. 3: 0F 01 D8..DF).
        let names: [SVMGuestProgram.Instruction: String] = [.vmrun: "vmrun", .vmmcall: "vmmcall", .vmload: "vmload", .vmsave: "vmsave",
                                                             .stgi: "stgi", .clgi: "clgi", .skinit: "skinit", .invlpga: "invlpga"]
        for (instruction, name) in names {
            let decoded = try Self.disassemble(SVMGuestProgram.l1Code(instruction), at: GuestMemoryLayout.entry)
            #expect(decoded[9].hasPrefix(name), "\(instruction): \(decoded[9])")
        }
    }

    /// A 32-bit L1 runs the same program without REX.W (in 32-bit mode 48h would be DEC EAX),
    /// and its nested guest's program decodes the same in 32-bit mode.
    @Test func theThirtyTwoBitL1AndNestedGuestDecodeAsWritten() throws {
        let loop = GuestMemoryLayout.entry + 37
        // objdump spells the SIB form without base or index (ModRM 04h, SIB 25h: disp32 alone) as eiz*1.
        #expect(try Self.disassemble(SVMGuestProgram.l1Code(.vmrun, l1: .legacy32), at: GuestMemoryLayout.entry, machine: "i386") == [
            "mov ecx,0xc0000080", "rdmsr", "or eax,DWORD PTR [eiz*1+0xd010]", "wrmsr",
            "mov ecx,0xc0010117", "mov eax,DWORD PTR [eiz*1+0xd020]", "mov edx,DWORD PTR [eiz*1+0xd024]", "wrmsr",
            "mov eax,DWORD PTR [eiz*1+0xd018]", "vmrun", "out 0x13,al",
            "mov eax,DWORD PTR [eiz*1+0xd008]", "add DWORD PTR [eiz*1+0x5578],eax", "dec DWORD PTR [eiz*1+0xd000]",
            "jne 0x\(String(loop, radix: 16))", "hlt",
        ])
        #expect(SVMGuestProgram.l1Code(.vmrun, l1: .pae32) == SVMGuestProgram.l1Code(.vmrun, l1: .legacy32))
        #expect(try Self.disassemble(SVMGuestProgram.l2RoundTrip32, at: GuestMemoryLayout.Harness.l2Code, machine: "i386")
                == ["add eax,0x7", "inc ebx", "hlt", "jmp 0x12000"])
        #expect(SVMGuestProgram.l2RoundTrip32[SVMGuestProgram.l2HaltOffset32] == 0xF4)
        #expect(try Self.disassemble(L1Harness.handlerCommon, at: GuestMemoryLayout.Harness.handlerCommon, machine: "i386")
                == ["pop eax", "out 0x14,eax", "pop eax", "out 0x15,eax", "pop eax", "out 0x16,eax", "hlt", "jmp 0xc209"])
    }

    /// The 32-bit page tables map the 2 MiB one to one in 4 KiB pages (SDM vol. 3 figures 4-4
    /// and 4-7): a 2-level PDE with P and R/W; a PAE PDPTE with P alone (bits 2:1 are reserved
    /// there, and KVM's load_pdptrs refuses them); each PTE its own page.
    @Test func theThirtyTwoBitPageTablesMapTheGuestOneToOne() throws {
        let legacy = try #require(SVMGuestProgram.pageTables32(.legacy32))
        #expect(legacy.cr3 == 0xE000)
        #expect(legacy.entries.first! == (0xE000, 0xF003, 4))
        #expect(legacy.entries.count == 1 + 512 && legacy.entries.allSatisfy { $0.width == 4 })
        #expect(legacy.entries.last! == (0xF000 + 4 * 511, 0x1F_F003, 4))
        let pae = try #require(SVMGuestProgram.pageTables32(.pae32))
        #expect(pae.cr3 == 0xE000)
        #expect(pae.entries.prefix(2).map { $0.value } == [0xF001, 0x10003])
        #expect(pae.entries.last! == (0x10000 + 8 * 511, 0x1F_F003, 8))
        #expect(SVMGuestProgram.pageTables32(.long64)?.cr3 == nil)
        // The pages are free: below the nested guest's code, above the parameter block.
        #expect(GuestMemoryLayout.Harness.parameters < 0xE000 && 0x10000 + 0x1000 <= GuestMemoryLayout.Harness.l2Code)
    }

    /// A 32-bit L1's nested guest: 32-bit protected mode, paging off, through the 32-bit code
    /// selector; the rest as the 64-bit round trip's (intercepts, ASID, maps).
    @Test func theThirtyTwoBitRoundTripVMCB() {
        let long = VMCBImage(bytes: SVMNestedRun.roundTripCase().vmcb)
        for l1 in [SVMGuestProgram.L1Mode.pae32, .legacy32] {
            let c = SVMNestedRun.roundTripCase(l1: l1)
            let v = VMCBImage(bytes: c.vmcb)
            #expect(c.l1 == l1 && c.l2Code == SVMGuestProgram.l2RoundTrip32 && c.rounds == 4 && c.skip == 1)
            #expect(v[.efer] == 0x1000 && v[.cr0] == 0x11 && v[.cr3] == 0 && v[.cr4] == 0)
            #expect(v.read(at: VMCBField.cs.rawValue, width: 2) == 0x30 && v.read(at: VMCBField.cs.rawValue + 2, width: 2) == 0xC9B)
            #expect(v[field32: .interceptMisc1] == long[field32: .interceptMisc1] && v[field32: .guestASID] == 1)
        }
        #expect(SVMNestedRun.haltRIP(for: .legacy32) == 0x12005 && SVMNestedRun.haltRIP(for: .long64) == SVMNestedRun.haltRIP)
    }

    /// GIF = 0 first: SVME on, CLGI, then EFER as the case has it; CPL3: IRETQ's frame (user SS,
    /// the stack, IOPL 3, user CS, the loop) and OUT 17h where HLT would fault at CPL3.
    @Test func theGIFAndRing3PreludesDecodeAsWritten() throws {
        let gif = try Self.disassemble(SVMGuestProgram.l1Code(.stgi, clearGIF: true), at: GuestMemoryLayout.entry)
        #expect(Array(gif.prefix(7)) == ["mov ecx,0xc0000080", "rdmsr", "or eax,0x1000", "wrmsr", "clgi", "and eax,0xffffefff",
                                         "or eax,DWORD PTR ds:0xd010"])
        let user = try Self.disassemble(SVMGuestProgram.l1Code(.vmrun, userMode: true), at: GuestMemoryLayout.entry)
        let loop = GuestMemoryLayout.entry + 37 + 21
        #expect(Array(user[8...14]) == ["push 0x1b", "push 0x7000", "push 0x3002", "push 0x23", "push 0x\(String(loop, radix: 16))",
                                        "iretq", "mov rax,QWORD PTR ds:0xd018"])
        #expect(Array(user.suffix(3)) == ["jne 0x\(String(loop, radix: 16))", "out 0x17,al", "hlt"])
        let back = try Self.disassemble(SVMGuestProgram.l1Code(.vmload, readBack: true), at: GuestMemoryLayout.entry)
        #expect(Array(back[9...12]) == ["vmload", "mov eax,0x1a000", "vmsave", "out 0x13,al"])
        // The user selectors name DPL-3 descriptors: data (type 3h) and 64-bit code (type Bh, L).
        #expect(L1Harness.gdt[Int(GuestMemoryLayout.Harness.userDataSelector) >> 3] >> 40 & 0xFF == 0xF3)
        #expect(L1Harness.gdt[Int(GuestMemoryLayout.Harness.userCodeSelector) >> 3] >> 40 & 0xFF == 0xFB)
    }

    @Test func theNestedGuestAndTheHandlersDecodeAsWritten() throws {
        #expect(try Self.disassemble(SVMGuestProgram.l2RoundTrip, at: GuestMemoryLayout.Harness.l2Code)
                == ["add rax,0x7", "inc rbx", "hlt", "jmp 0x12000"])
        #expect(SVMGuestProgram.l2RoundTrip[SVMGuestProgram.l2HaltOffset] == 0xF4)
        // #GP (13) pushes an error code: no dummy push. #UD (6) does not: the stub pushes 0 first.
        #expect(try Self.disassemble(L1Harness.handlerStub(vector: 13), at: GuestMemoryLayout.Harness.handlers + 13 * 16).prefix(2)
                == ["push 0xd", "jmp 0xc200"])
        #expect(try Self.disassemble(L1Harness.handlerStub(vector: 6), at: GuestMemoryLayout.Harness.handlers + 6 * 16).prefix(3)
                == ["push 0x0", "push 0x6", "jmp 0xc200"])
        #expect(try Self.disassemble(L1Harness.handlerCommon, at: GuestMemoryLayout.Harness.handlerCommon)
                == ["pop rax", "out 0x14,eax", "pop rax", "out 0x15,eax", "pop rax", "out 0x16,eax", "hlt", "jmp 0xc209"])
    }

    /// The gate for vector 14 points at its stub through the 64-bit code selector (SDM vol. 3 figure 6-8).
    @Test func idtGatesAndGDT() {
        let gate = L1Harness.idtGate(vector: 14)
        #expect(gate.low == 0x0000_8E00_0008_C0E0)
        #expect(gate.high == 0)
        // GDT[1]: L=1, D=0 (a 64-bit code segment), P, DPL 0, type Bh.
        #expect(L1Harness.gdt[1] >> 53 & 1 == 1 && L1Harness.gdt[1] >> 54 & 1 == 0)
        #expect(L1Harness.gdt[1] >> 40 & 0xFF == 0x9B)
    }

    /// The shared GDT holds the ring-3 pair at 1Bh/23h and the 32-bit code segment at 30h (L=0,
    /// D=1, type Bh), past TR's empty slot 28h; GDTR's limit covers it (SDM vol. 3 figure 3-8).
    @Test func theSharedGDTHoldsTheRing3AndThirtyTwoBitDescriptors() {
        typealias H = GuestMemoryLayout.Harness
        let code32 = L1Harness.gdt[Int(H.code32Selector) >> 3]
        #expect(code32 >> 53 & 1 == 0 && code32 >> 54 & 1 == 1 && code32 >> 40 & 0xFF == 0x9B)
        #expect(L1Harness.gdt[Int(H.tssSelector) >> 3] == 0)
        #expect(Int(L1Harness.gdtLimit) == Int(H.code32Selector) + 7)
        #expect(H.gdt + 8 * L1Harness.gdt.count <= H.tss)
    }

    /// No two structures of the guest's memory share a byte: the long-mode guest's, the shared
    /// harness's, the SVM harness's (32-bit page tables, read-back page) and the VMX harness's.
    @Test func theHarnessLayoutsDoNotOverlap() {
        typealias H = GuestMemoryLayout.Harness
        typealias S = GuestMemoryLayout.SVM
        typealias V = GuestMemoryLayout.VMX
        let page = 0x1000
        let regions: [(String, Range<Int>)] = [
            ("pml4", GuestMemoryLayout.pml4..<GuestMemoryLayout.pml4 + page),
            ("pdpt", GuestMemoryLayout.pdpt..<GuestMemoryLayout.pdpt + page),
            ("page directory", GuestMemoryLayout.pageDirectory..<GuestMemoryLayout.pageDirectory + page),
            ("page table", GuestMemoryLayout.pageTable..<GuestMemoryLayout.pageTable + page),
            ("vmcb", S.vmcb..<S.vmcb + page),
            ("stack", GuestMemoryLayout.stackTop - page..<GuestMemoryLayout.stackTop),
            ("host save", S.hostSave..<S.hostSave + page),
            ("code", GuestMemoryLayout.entry..<GuestMemoryLayout.entry + page),
            ("result", GuestMemoryLayout.resultPhysical..<GuestMemoryLayout.resultPhysical + page),
            ("gdt", H.gdt..<H.gdt + 8 * L1Harness.gdt.count),
            ("tss", H.tss..<H.tss + H.tssLimit + 1),
            ("idt", H.idt..<H.idt + Int(L1Harness.idtLimit) + 1),
            ("handlers", H.handlers..<H.handlerCommon + L1Harness.handlerCommon.count),
            ("parameters", H.parameters..<H.parameters + page),
            ("32-bit page tables", S.pageTables32..<S.pageTables32 + 3 * page),
            ("l2 code", H.l2Code..<H.l2Code + page),
            ("l2 stack", H.l2StackTop - page..<H.l2StackTop),
            ("iopm", S.iopm..<S.iopm + 3 * page),
            ("msrpm", S.msrpm..<S.msrpm + 2 * page),
            ("read-back", S.readBack..<S.readBack + page),
            ("vmx writes", V.writes..<V.writes + 16 * V.maxWrites),
            ("vmx writes after exit", V.writesAfterExit..<V.writesAfterExit + 16 * V.maxWrites),
            ("vmx window", V.window..<V.window + V.windowSize),
        ]
        for (i, a) in regions.enumerated() {
            for b in regions[(i + 1)...] { #expect(!a.1.overlaps(b.1), "\(a.0) \(a.1) overlaps \(b.0) \(b.1)") }
        }
        #expect(H.handlers + 32 * H.handlerStride <= H.handlerCommon)
        #expect(regions.allSatisfy { $0.1.upperBound <= GuestMemoryLayout.memorySize })
    }

    /// APM vol. 2 appendix B, tables B-1 and B-2 (also the offsets the lab's kvmguest.c uses).
    @Test func vmcbOffsetsAreTheAPMs() {
        let apm: [VMCBField: Int] = [.interceptMisc1: 0x0C, .interceptMisc2: 0x10, .iopmBase: 0x40, .msrpmBase: 0x48, .guestASID: 0x58,
                                     .exitCode: 0x70, .exitInfo1: 0x78, .exitInfo2: 0x80, .exitIntInfo: 0x88, .nestedControl: 0x90,
                                     .eventInjection: 0xA8, .nestedCR3: 0xB0, .nextRIP: 0xC8, .es: 0x400, .cs: 0x410, .ss: 0x420,
                                     .ds: 0x430, .tr: 0x490, .cpl: 0x4CB, .efer: 0x4D0, .cr4: 0x548, .cr3: 0x550, .cr0: 0x558,
                                     .dr7: 0x560, .dr6: 0x568, .rflags: 0x570, .rip: 0x578, .rsp: 0x5D8, .rax: 0x5F8, .gPAT: 0x668]
        for (field, offset) in apm { #expect(field.rawValue == offset, "\(field)") }
        #expect(Set(VMCBField.allCases.map(\.rawValue)).count == VMCBField.allCases.count)
    }

    /// The round-trip VMCB passes the checks VMRUN makes on it (APM 15.5.1; KVM's
    /// nested_vmcb_check_save/controls): VMRUN intercepted, ASID not 0, EFER.SVME, long mode
    /// with PAE and PE, CS.L without CS.D, DR6/DR7 upper halves clear.
    @Test func theRoundTripVMCBIsConsistent() {
        let c = SVMNestedRun.roundTripCase()
        let v = VMCBImage(bytes: c.vmcb)
        #expect(v[field32: .interceptMisc2] & 1 == 1)
        #expect(v[field32: .guestASID] != 0)
        #expect(v[.efer] == 0x1500)
        #expect(v[.cr0] & 0x8000_0001 == 0x8000_0001 && v[.cr4] & 0x20 != 0)
        #expect(v.read(at: VMCBField.cs.rawValue + 2, width: 2) >> 9 & 3 == 1)
        #expect(v[.dr6] >> 32 == 0 && v[.dr7] >> 32 == 0)
        #expect(v[.rip] == UInt64(GuestMemoryLayout.Harness.l2Code))
        #expect(c.rounds == 4 && c.skip == 1)
    }

    static func round(_ index: Int, exitCode: UInt64 = 0x78, rbx: UInt64? = nil) -> SVMGuestOutcome.Round {
        var v = VMCBImage()
        v[.exitCode] = exitCode
        v[.rip] = SVMNestedRun.haltRIP
        v[.nextRIP] = SVMNestedRun.haltRIP + 1
        v[.rax] = 0x100 + 7 * UInt64(index)
        return SVMGuestOutcome.Round(vmcb: v, rax: UInt64(GuestMemoryLayout.SVM.vmcb), rbx: rbx ?? UInt64(index))
    }

    @Test func fourGoodRoundsPass() {
        let outcome = SVMGuestOutcome(rounds: (1...4).map { Self.round($0) }, raxPage: nil, fault: nil, exits: [], halted: true, error: nil)
        let e = SVMNestedRun.judge(outcome, rounds: 4, nextRIPSaved: true)
        #expect(e.ok && e.error == nil && e.rounds.count == 4)
    }

    @Test func aFaultAfterTheFirstExitFailsNamingTheRound() {
        let fault = NestedRunEvidence.Fault(vector: 14, errorCode: 0x9, rip: 0x8023, round: 2)
        let outcome = SVMGuestOutcome(rounds: [Self.round(1)], raxPage: nil, fault: fault, exits: [], halted: true, error: nil)
        let e = SVMNestedRun.judge(outcome, rounds: 4, nextRIPSaved: false)
        #expect(!e.ok)
        #expect(e.error == "round 2 of 4: L1 took exception 14 (#PF), error code 0x9, at RIP 0x8023 after 1 completed round trip")
    }

    @Test func aWrongExitCodeOrAGuestThatDidNotRunFails() {
        let wrong = SVMGuestOutcome(rounds: [Self.round(1, exitCode: UInt64.max)], raxPage: nil, fault: nil, exits: [], halted: true, error: nil)
        #expect(SVMNestedRun.judge(wrong, rounds: 1, nextRIPSaved: false).error?.contains("EXITCODE 0xffffffffffffffff") == true)
        let idle = SVMGuestOutcome(rounds: [Self.round(1, rbx: 0)], raxPage: nil, fault: nil, exits: [], halted: true, error: nil)
        #expect(SVMNestedRun.judge(idle, rounds: 1, nextRIPSaved: false).error?.contains("RBX 0, expected 1") == true)
        let short = SVMGuestOutcome(rounds: [Self.round(1)], raxPage: nil, fault: nil, exits: [], halted: false, error: "L1 shut down (a triple fault) in round 2")
        #expect(SVMNestedRun.judge(short, rounds: 4, nextRIPSaved: false).error == "L1 shut down (a triple fault) in round 2 (1 of 4 round trips completed)")
    }
}

extension SVMGuestProgramTests {
    /// The child prints the evidence with SnapshotCoding and the parent decodes it: every key
    /// must survive the snake-case round trip (`nextRIP` did not, and the lab's first run of the
    /// nested guest came back as "exited with status 0 without evidence").
    @Test func nestedEvidenceSurvivesTheChildsJSON() throws {
        let rounds = (1...4).map { Self.round($0) }
        let evidence = SVMNestedRun.judge(SVMGuestOutcome(rounds: rounds, raxPage: nil, fault: NestedRunEvidence.Fault(vector: 14, errorCode: 2, rip: 0x8030, round: 5),
                                                          exits: [], halted: true, error: nil), rounds: 4, nextRIPSaved: true)
        let run = GuestRunEvidence(ok: true, runs: [], exitLatencyNs: nil, timedOut: false, error: nil, nested: evidence)
        // The child writes ReportEncoder's JSON; the parent reads it with SnapshotCoding.decode.
        let json = try ReportEncoder.encode(run).serialized()
        #expect(json.contains("\"next_rip\""))
        #expect(try SnapshotCoding.decode(GuestRunEvidence.self, from: Array(json.utf8)) == run)
    }
}
