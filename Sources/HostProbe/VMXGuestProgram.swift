import HostModel

/// The VMX harness's guest code, hand-assembled like `SVMGuestProgram` (each instruction's
/// encoding beside its bytes: Intel SDM vol. 2 opcode tables and vol. 3C chapter 31, "VMX
/// Instruction Reference"). One L1 program per instruction under test; userspace writes the
/// parameter block (`GuestMemoryLayout.VMX.Parameter`), the regions' revision identifiers and the
/// VMWRITE table before KVM_RUN, and reads L1's results back from the block after it halts.
///
/// L1, in 64-bit mode at CPL0 (the long-mode start state of `GuestRunner.prepare`):
///
///     CR0 = [cr0]; CR4 = [cr4]                              (CR4.VMXE, CR0.NE: SDM 24.8)
///     if [stage] >= 1: VMXON [vmxonPointer]                 (set-up: a VMfail stops L1)
///     if [stage] >= 2: VMCLEAR, VMPTRLD [vmcsPointer]; VMWRITE each table pair
///     if [stage] >= 3: VMLAUNCH; at its exit (launchExit) VMWRITE each after-exit pair
///     RCX, RDX, RAX = parameters; RFLAGS = 8D7h (CF PF AF ZF SF OF set)
///     <instruction>; store RFLAGS, RAX; on VMfailValid store VMREAD(4400h); step = reported; HLT
///     host RIP: store 1, VMREAD(4402h), VMREAD(6400h); step = reported; HLT  (VM exit or failed entry)
///
/// The RFLAGS preset tells the three VMX statuses (SDM 31.2: VMsucceed clears all six flags,
/// VMfailInvalid sets only CF, VMfailValid only ZF) from an instruction that left them alone.
/// L1's exceptions go through `L1Harness`'s IDT; `Step` in the block says where L1 was.
public enum VMXGuestProgram {
    public typealias Layout = GuestMemoryLayout.VMX
    public typealias Parameter = GuestMemoryLayout.VMX.Parameter

    /// RFLAGS before the instruction: bit 1 and CF, PF, AF, ZF, SF, OF.
    public static let presetFlags: UInt64 = 0x8D7
    /// The arithmetic flags a VMX status writes (SDM 31.2).
    public static let statusFlags: UInt64 = 0x8D5

    /// What L1 is doing, as it records it in `Parameter.step` before each part.
    public enum Step: UInt64, Sendable, Codable, CaseIterable {
        case controlRegisters = 1, vmxon, vmclear, vmptrld, vmwrite, instruction, vmlaunch, vmwriteAfterExit
        /// L1 stored its results and halts: a HLT exit at any other step was not L1's own (a
        /// nested guest entered in the HLT activity state halts the vCPU under KVM).
        case reported
    }

    /// The instructions the slot can hold.
    public enum Instruction: String, Sendable, Hashable, Codable, CaseIterable {
        case vmxon, vmclear, vmptrld, vmptrst, vmread, vmwrite, vmlaunch, vmresume, vmxoff, vmcall, vmfunc, invept, invvpid

        /// The encoding with its operands where the harness keeps them: the m64 at
        /// `Parameter.operand` (ModRM mod 00 r/m 100 with SIB 25h: disp32 only), RCX the field
        /// encoding or type, RDX VMWRITE's value, RAX VMREAD's destination, the descriptor at
        /// `Parameter.descriptor`.
        public var bytes: [UInt8] {
            let p = GuestMemoryLayout.Harness.parameters
            let operand = L1Harness.le32(p + Parameter.operand.rawValue)
            let descriptor = L1Harness.le32(p + Parameter.descriptor.rawValue)
            return switch self {
            case .vmxon: [0xF3, 0x0F, 0xC7, 0x34, 0x25] + operand //     vmxon [operand]    (F3 0F C7 /6)
            case .vmclear: [0x66, 0x0F, 0xC7, 0x34, 0x25] + operand //   vmclear [operand]  (66 0F C7 /6)
            case .vmptrld: [0x0F, 0xC7, 0x34, 0x25] + operand //         vmptrld [operand]  (NP 0F C7 /6)
            case .vmptrst: [0x0F, 0xC7, 0x3C, 0x25] + operand //         vmptrst [operand]  (NP 0F C7 /7)
            case .vmread: [0x0F, 0x78, 0xC8] //                          vmread rax, rcx    (0F 78 /r, ModRM 11 001 000)
            case .vmwrite: [0x0F, 0x79, 0xCA] //                         vmwrite rcx, rdx   (0F 79 /r, ModRM 11 001 010)
            case .vmlaunch: [0x0F, 0x01, 0xC2] //                        vmlaunch           (0F 01 C2)
            case .vmresume: [0x0F, 0x01, 0xC3] //                        vmresume           (0F 01 C3)
            case .vmxoff: [0x0F, 0x01, 0xC4] //                          vmxoff             (0F 01 C4)
            case .vmcall: [0x0F, 0x01, 0xC1] //                          vmcall             (0F 01 C1)
            case .vmfunc: [0x0F, 0x01, 0xD4] //                          vmfunc             (NP 0F 01 D4)
            case .invept: [0x66, 0x0F, 0x38, 0x80, 0x0C, 0x25] + descriptor //  invept rcx, [descriptor]  (66 0F 38 80 /r)
            case .invvpid: [0x66, 0x0F, 0x38, 0x81, 0x0C, 0x25] + descriptor // invvpid rcx, [descriptor] (66 0F 38 81 /r)
            }
        }
    }

    /// L1's code for one instruction, and where in it (offsets from its start) the instruction
    /// under test, the host RIP a VM exit returns to, and the set-up VMLAUNCH's host RIP are.
    public struct Code: Sendable, Hashable {
        public var bytes: [UInt8]
        public var instructionOffset: Int
        public var hostRIPOffset: Int
        public var launchExitOffset: Int
    }

    /// The nested guest: VMCALL, which exits unconditionally in VMX non-root operation (SDM 26.1.2,
    /// exit reason 18), then HLT should it ever come back.
    public static let l2: [UInt8] = [0x0F, 0x01, 0xC1, 0xF4]

    /// A few bytes of assembler: code with labels and the rel32 jumps to them.
    struct Assembly {
        var bytes: [UInt8] = []
        var labels: [String: Int] = [:]
        var fixups: [(at: Int, label: String)] = []

        mutating func emit(_ b: [UInt8]) { bytes += b }
        mutating func label(_ name: String) { labels[name] = bytes.count }
        /// A jump or Jcc whose last four bytes are rel32 to `label`.
        mutating func jump(_ opcode: [UInt8], to label: String) {
            bytes += opcode
            fixups.append((bytes.count, label))
            bytes += [0, 0, 0, 0]
        }

        func linked() -> [UInt8] {
            var out = bytes
            for fixup in fixups {
                let rel = L1Harness.le32(UInt32(bitPattern: Int32(labels[fixup.label]! - (fixup.at + 4))))
                out.replaceSubrange(fixup.at..<fixup.at + 4, with: rel)
            }
            return out
        }
    }

    public static func l1(_ instruction: Instruction) -> Code {
        let p = GuestMemoryLayout.Harness.parameters
        func at(_ parameter: Parameter) -> [UInt8] { L1Harness.le32(p + parameter.rawValue) }
        func step(_ s: Step) -> [UInt8] { //                              mov qword [step], imm32  (REX.W C7 /0 id)
            [0x48, 0xC7, 0x04, 0x25] + at(.step) + L1Harness.le32(UInt32(s.rawValue))
        }
        let je: [UInt8] = [0x0F, 0x84], jne: [UInt8] = [0x0F, 0x85], jbe: [UInt8] = [0x0F, 0x86], jmp: [UInt8] = [0xE9]
        var a = Assembly()
        a.emit(step(.controlRegisters))
        a.emit([0x48, 0x8B, 0x04, 0x25] + at(.cr0)) //                    mov rax, [cr0]           (REX.W 8B /r)
        a.emit([0x0F, 0x22, 0xC0]) //                                     mov cr0, rax             (0F 22 /0)
        a.emit([0x48, 0x8B, 0x04, 0x25] + at(.cr4)) //                    mov rax, [cr4]
        a.emit([0x0F, 0x22, 0xE0]) //                                     mov cr4, rax             (0F 22 /4)
        a.emit([0x48, 0x83, 0x3C, 0x25] + at(.stage) + [0]) //            cmp qword [stage], 0     (REX.W 83 /7 ib)
        a.jump(je, to: "test") //                                         je test                  (0F 84 cd)
        a.emit(step(.vmxon))
        a.emit([0xF3, 0x0F, 0xC7, 0x34, 0x25] + at(.vmxonPointer)) //     vmxon [vmxonPointer]
        a.jump(jbe, to: "fail") //                                        jbe fail: CF or ZF, a VMfail (0F 86 cd)
        a.emit([0x48, 0x83, 0x3C, 0x25] + at(.stage) + [1]) //            cmp qword [stage], 1
        a.jump(je, to: "test")
        a.emit(step(.vmclear))
        a.emit([0x66, 0x0F, 0xC7, 0x34, 0x25] + at(.vmcsPointer)) //      vmclear [vmcsPointer]
        a.jump(jbe, to: "fail")
        a.emit(step(.vmptrld))
        a.emit([0x0F, 0xC7, 0x34, 0x25] + at(.vmcsPointer)) //            vmptrld [vmcsPointer]
        a.jump(jbe, to: "fail")
        a.emit(step(.vmwrite))
        a.emit([0xBE] + L1Harness.le32(Layout.writes)) //                 mov esi, writes          (B8+r id)
        a.emit([0x48, 0x8B, 0x1C, 0x25] + at(.writeCount)) //             mov rbx, [writeCount]
        a.jump([0xE8], to: "table") //                                    call table               (E8 cd)
        a.emit([0x48, 0x83, 0x3C, 0x25] + at(.stage) + [2]) //            cmp qword [stage], 2
        a.jump(je, to: "test")
        a.emit(step(.vmlaunch))
        a.emit([0x0F, 0x01, 0xC2]) //                                     vmlaunch: the nested guest's VMCALL exits to launchExit
        a.jump(jmp, to: "fail") //                                        (falling through is a VMfail)
        let launchExitOffset = a.bytes.count
        a.emit([0xB9] + L1Harness.le32(0x4402)) //                        launchExit: mov ecx, 4402h
        a.emit([0x0F, 0x78, 0xC8]) //                                     vmread rax, rcx          (exit reason)
        a.emit([0x85, 0xC0]) //                                           test eax, eax            (85 /r)
        a.jump([0x0F, 0x88], to: "fail") //                               js fail: bit 31, VM entry failed (0F 88 cd)
        a.emit(step(.vmwriteAfterExit))
        a.emit([0xBE] + L1Harness.le32(Layout.writesAfterExit)) //        mov esi, writesAfterExit
        a.emit([0x48, 0x8B, 0x1C, 0x25] + at(.writeCountAfterExit)) //    mov rbx, [writeCountAfterExit]
        a.jump([0xE8], to: "table") //                                    call table
        a.jump(jmp, to: "test")
        a.label("table") //                                               table: VMWRITE RBX pairs from [RSI]
        a.emit([0x48, 0x85, 0xDB]) //                                     test rbx, rbx            (REX.W 85 /r)
        a.jump(je, to: "return")
        a.label("write")
        a.emit([0x48, 0x8B, 0x0E]) //                                     write: mov rcx, [rsi]    (ModRM 00 001 110)
        a.emit([0x48, 0x8B, 0x56, 0x08]) //                               mov rdx, [rsi+8]         (ModRM 01 010 110, disp8)
        a.emit([0x0F, 0x79, 0xCA]) //                                     vmwrite rcx, rdx
        a.jump(jbe, to: "fail")
        a.emit([0x48, 0x83, 0xC6, 0x10]) //                               add rsi, 16              (REX.W 83 /0 ib)
        a.emit([0x48, 0xFF, 0xCB]) //                                     dec rbx                  (REX.W FF /1)
        a.jump(jne, to: "write")
        a.label("return")
        a.emit([0xC3]) //                                                 return: ret              (C3)
        a.label("test")
        a.emit(step(.instruction))
        a.emit([0x48, 0x8B, 0x0C, 0x25] + at(.rcx)) //                    test: mov rcx, [rcx]
        a.emit([0x48, 0x8B, 0x14, 0x25] + at(.rdx)) //                    mov rdx, [rdx]
        a.emit([0x48, 0x8B, 0x04, 0x25] + at(.rax)) //                    mov rax, [rax]
        a.emit([0x68] + L1Harness.le32(UInt32(presetFlags))) //           push 8D7h                (68 id)
        a.emit([0x9D]) //                                                 popfq                    (9D)
        let instructionOffset = a.bytes.count
        a.emit(instruction.bytes) //                                      the instruction under test
        a.emit([0x9C, 0x5B]) //                                           pushfq; pop rbx          (9C, 58+r)
        a.emit([0x48, 0x89, 0x1C, 0x25] + at(.rflags)) //                 mov [rflags], rbx        (REX.W 89 /r)
        a.emit([0x48, 0x89, 0x04, 0x25] + at(.raxAfter)) //               mov [raxAfter], rax
        a.emit([0x48, 0x89, 0xD8]) //                                     mov rax, rbx             (REX.W 89 /r, ModRM 11 011 000)
        a.emit([0x25] + L1Harness.le32(UInt32(statusFlags))) //           and eax, 8D5h            (25 id)
        a.emit([0x83, 0xF8, 0x40]) //                                     cmp eax, 40h (ZF alone)  (83 /7 ib)
        a.jump(jne, to: "done")
        a.emit([0xB9] + L1Harness.le32(0x4400)) //                        mov ecx, 4400h
        a.emit([0x0F, 0x78, 0xC8]) //                                     vmread rax, rcx          (VM-instruction error)
        a.emit([0x48, 0x89, 0x04, 0x25] + at(.instructionError)) //       mov [instructionError], rax
        a.jump(jmp, to: "done") //                                        jmp done                 (E9 cd)
        let hostRIPOffset = a.bytes.count
        a.emit([0x48, 0xC7, 0x04, 0x25] + at(.exited) + L1Harness.le32(1)) // host RIP: mov qword [exited], 1
        a.emit([0xB9] + L1Harness.le32(0x4402)) //                        mov ecx, 4402h
        a.emit([0x0F, 0x78, 0xC8]) //                                     vmread rax, rcx          (exit reason)
        a.emit([0x48, 0x89, 0x04, 0x25] + at(.exitReason)) //             mov [exitReason], rax
        a.emit([0xB9] + L1Harness.le32(0x6400)) //                        mov ecx, 6400h
        a.emit([0x0F, 0x78, 0xC8]) //                                     vmread rax, rcx          (exit qualification)
        a.emit([0x48, 0x89, 0x04, 0x25] + at(.exitQualification)) //      mov [exitQualification], rax
        a.label("done")
        a.emit(step(.reported)) //                                        done: results stored
        a.emit([0xF4]) //                                                 hlt
        a.label("fail")
        a.emit([0x9C, 0x58]) //                                           fail: pushfq; pop rax
        a.emit([0x48, 0x89, 0x04, 0x25] + at(.setupFlags)) //             mov [setupFlags], rax
        a.emit([0x48, 0x89, 0x1C, 0x25] + at(.writesLeft)) //             mov [writesLeft], rbx
        a.emit([0xF4]) //                                                 hlt
        return Code(bytes: a.linked(), instructionOffset: instructionOffset, hostRIPOffset: hostRIPOffset, launchExitOffset: launchExitOffset)
    }
}
