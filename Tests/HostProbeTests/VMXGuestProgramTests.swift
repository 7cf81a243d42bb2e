import Foundation
import HostModel
import Reporting
import Testing
@testable import HostProbe

/// The VMX harness's hand-assembled bytes decode as their comments say, checked with binutils'
/// objdump (an independent disassembler): the VMX instructions cannot execute on this machine's
/// KVM (kvm_pvm offers no VMX), so their encodings are held against the disassembler instead.
struct VMXGuestProgramTests {
    static func hex(_ offset: Int) -> String { "0x" + String(GuestMemoryLayout.entry + offset, radix: 16) }

    @Test func theL1CodeDecodesAsWritten() throws {
        let code = VMXGuestProgram.l1(.vmxon)
        let decoded = try SVMGuestProgramTests.disassemble(code.bytes, at: GuestMemoryLayout.entry)
        let test = "0x812b", fail = "0x81cf", done = "0x81c2", table = "0x8104"
        #expect(decoded == [
            "mov QWORD PTR ds:0xd0b0,0x1", "mov rax,QWORD PTR ds:0xd000", "mov cr0,rax", "mov rax,QWORD PTR ds:0xd008", "mov cr4,rax",
            "cmp QWORD PTR ds:0xd010,0x0", "je \(test)",
            "mov QWORD PTR ds:0xd0b0,0x2", "vmxon QWORD PTR ds:0xd018", "jbe \(fail)", "cmp QWORD PTR ds:0xd010,0x1", "je \(test)",
            "mov QWORD PTR ds:0xd0b0,0x3", "vmclear QWORD PTR ds:0xd020", "jbe \(fail)",
            "mov QWORD PTR ds:0xd0b0,0x4", "vmptrld QWORD PTR ds:0xd020", "jbe \(fail)",
            "mov QWORD PTR ds:0xd0b0,0x5", "mov esi,0x1b000", "mov rbx,QWORD PTR ds:0xd028", "call \(table)",
            "cmp QWORD PTR ds:0xd010,0x2", "je \(test)",
            "mov QWORD PTR ds:0xd0b0,0x7", "vmlaunch", "jmp \(fail)",
            "mov ecx,0x4402", "vmread rax,rcx", "test eax,eax", "js \(fail)",
            "mov QWORD PTR ds:0xd0b0,0x8", "mov esi,0x1c000", "mov rbx,QWORD PTR ds:0xd060", "call \(table)", "jmp \(test)",
            "test rbx,rbx", "je 0x812a",
            "mov rcx,QWORD PTR [rsi]", "mov rdx,QWORD PTR [rsi+0x8]", "vmwrite rcx,rdx", "jbe \(fail)", "add rsi,0x10", "dec rbx",
            "jne 0x810d", "ret",
            "mov QWORD PTR ds:0xd0b0,0x6", "mov rcx,QWORD PTR ds:0xd038", "mov rdx,QWORD PTR ds:0xd040", "mov rax,QWORD PTR ds:0xd048",
            "push 0x8d7", "popf", "vmxon QWORD PTR ds:0xd030",
            "pushf", "pop rbx", "mov QWORD PTR ds:0xd080,rbx", "mov QWORD PTR ds:0xd088,rax", "mov rax,rbx", "and eax,0x8d5",
            "cmp eax,0x40", "jne \(done)", "mov ecx,0x4400", "vmread rax,rcx", "mov QWORD PTR ds:0xd090,rax", "jmp \(done)",
            "mov QWORD PTR ds:0xd098,0x1", "mov ecx,0x4402", "vmread rax,rcx", "mov QWORD PTR ds:0xd0a0,rax",
            "mov ecx,0x6400", "vmread rax,rcx", "mov QWORD PTR ds:0xd0a8,rax", "mov QWORD PTR ds:0xd0b0,0x9", "hlt",
            "pushf", "pop rax", "mov QWORD PTR ds:0xd0b8,rax", "mov QWORD PTR ds:0xd0c0,rbx", "hlt",
        ])
        // The offsets the runner and the VMCS's host RIP use point at those instructions.
        #expect(try SVMGuestProgramTests.disassemble(Array(code.bytes[code.instructionOffset...]), at: 0).first == "vmxon QWORD PTR ds:0xd030")
        #expect(try SVMGuestProgramTests.disassemble(Array(code.bytes[code.hostRIPOffset...]), at: 0).first == "mov QWORD PTR ds:0xd098,0x1")
        #expect(try SVMGuestProgramTests.disassemble(Array(code.bytes[code.launchExitOffset...]), at: 0).prefix(2) == ["mov ecx,0x4402", "vmread rax,rcx"])
    }

    /// Each VMX instruction in the slot, with the operands where the harness keeps them (SDM vol.
    /// 3C chapter 31 opcodes; parameter block at 0xD000).
    @Test func theSlotHoldsEachVMXInstruction() throws {
        let expected: [VMXGuestProgram.Instruction: String] = [
            .vmxon: "vmxon QWORD PTR ds:0xd030", .vmclear: "vmclear QWORD PTR ds:0xd030", .vmptrld: "vmptrld QWORD PTR ds:0xd030",
            .vmptrst: "vmptrst QWORD PTR ds:0xd030", .vmread: "vmread rax,rcx", .vmwrite: "vmwrite rcx,rdx", .vmlaunch: "vmlaunch",
            .vmresume: "vmresume", .vmxoff: "vmxoff", .vmcall: "vmcall", .vmfunc: "vmfunc",
            .invept: "invept rcx,OWORD PTR ds:0xd050", .invvpid: "invvpid rcx,OWORD PTR ds:0xd050",
        ]
        #expect(Set(expected.keys) == Set(VMXGuestProgram.Instruction.allCases))
        for (instruction, text) in expected {
            let code = VMXGuestProgram.l1(instruction)
            let slot = try SVMGuestProgramTests.disassemble(instruction.bytes, at: 0)
            #expect(slot == [text], "\(instruction)")
            #expect(Array(code.bytes[code.instructionOffset..<code.instructionOffset + instruction.bytes.count]) == instruction.bytes)
            // What follows the slot is the status read-back, whatever the slot's length.
            #expect(try SVMGuestProgramTests.disassemble(Array(code.bytes[(code.instructionOffset + instruction.bytes.count)...]), at: 0).prefix(2)
                    == ["pushf", "pop rbx"], "\(instruction)")
        }
        #expect(try SVMGuestProgramTests.disassemble(VMXGuestProgram.l2, at: GuestMemoryLayout.Harness.l2Code) == ["vmcall", "hlt"])
    }
}

/// The VMX harness on this machine's KVM, in the `__guest-run` child, with real vectors' cases.
/// Where KVM offers no VMX to its guests (kvm_pvm here) L1 cannot enter VMX operation: the
/// CR4.VMXE write must raise #GP(0) (SDM 2.5, MOV to CR4: a reserved bit; KVM's
/// kvm_is_valid_cr4 refuses VMXE without VMX in the guest's CPUID), reported through L1's IDT
/// with the MOV's address and the step L1 was at; with CR4.VMXE clear, VMXON must not complete.
@Suite(.serialized, .enabled(if: TestHost.kvmAndBinary, "needs a /dev/kvm this user can open and the built virtcheck"))
struct VMXHarnessOnThisKVMTests {
    static let vmxOffered = ((try? KVMDevice().supportedCpuid()) ?? []).contains { $0.leaf == 1 && $0.subleaf == 0 && $0.ecx >> 5 & 1 == 1 }

    static func run(_ vector: String) throws -> VMXCaseReport {
        let child = GuestRunSupervisor.childCommand(executable: try #require(TestHost.virtcheckBinary), extraArguments: ["--vmx-case", vector])
        let r = try child.spawnAndWait()
        #expect(r.finished && r.killed == nil, "\(String(decoding: r.stderr, as: UTF8.self))")
        return try SnapshotCoding.decode(VMXCaseReport.self, from: r.stdout)
    }

    @Test(.enabled(if: !vmxOffered, "this KVM offers VMX: the vectors' run itself is the test there"))
    func withoutVMXOfferedTheCR4WriteIsGPThroughTheIDT() throws {
        let report = try Self.run("vmxon.ok.fc-both")
        // step (12 bytes), mov rax,[cr0] (8), mov cr0 (3), mov rax,[cr4] (8): MOV to CR4 at entry + 31.
        #expect(report.fault == NestedRunEvidence.Fault(vector: 13, errorCode: 0, rip: UInt64(GuestMemoryLayout.entry + 31), round: 1))
        #expect(report.step == VMXGuestProgram.Step.controlRegisters.rawValue)
        #expect(report.halted && report.error == nil)
        #expect(report.instructionRIP == UInt64(GuestMemoryLayout.entry + VMXGuestProgram.l1(.vmxon).instructionOffset))
    }

    /// CR4.VMXE clear: L1 reaches VMXON itself (step 6), which must not succeed. On real VT-x it
    /// is #UD through L1's IDT; kvm_pvm runs the guest at CPL3 and hands the trapped VMXON to
    /// KVM's instruction emulator, which has no VMXON: KVM_EXIT_INTERNAL_ERROR (emulation failure).
    @Test(.enabled(if: !vmxOffered, "this KVM offers VMX: the vectors' run itself is the test there"))
    func withCR4VMXEClearVMXONNeverCompletes() throws {
        let report = try Self.run("vmxon.ud.cr4-vmxe")
        #expect(report.step == VMXGuestProgram.Step.instruction.rawValue)
        #expect(report.rflags == 0, "L1 never got past VMXON to store RFLAGS")
        let udThroughIDT = report.fault == NestedRunEvidence.Fault(vector: 6, errorCode: 0, rip: report.instructionRIP, round: 1)
        let emulationFailure = report.error?.hasPrefix("unexpected exit internal_error") == true
        #expect(udThroughIDT || emulationFailure, "\(report)")
    }
}
