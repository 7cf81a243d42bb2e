import CShims
import FoundationEssentials
import Glibc
import HostModel

/// What the SVM and VMX harnesses' L1 programs share (hand-assembled like `GuestProgram`, each
/// encoding beside its bytes, Intel SDM vol. 2 opcode tables): the GDT, the IDT and the exception
/// handlers that report a fault L1 takes, and the run loop that reads those reports back.
///
/// Every exception L1 takes goes through its IDT to a stub that reports the vector, the error
/// code (0 for vectors without one) and the faulting RIP on ports 14h, 15h and 16h, then halts.
public enum L1Harness {
    public typealias Layout = GuestMemoryLayout.Harness

    /// Ports L1's exception handlers report on, and the one an L1 at CPL3 (where HLT would
    /// fault) ends its run with.
    public enum Port {
        public static let faultVector = 0x14
        public static let faultErrorCode = 0x15
        public static let faultRIP = 0x16
        /// L1 finished at CPL3: userspace ends the run here, as at HLT.
        public static let finished = 0x17
    }

    /// Exception vectors that push an error code (SDM vol. 3 table 6-1; APM vol. 2 table 8-1,
    /// where 21 (#CP), 29 (#VC) and 30 (#SX) also push one).
    public static let vectorsWithErrorCode: Set<UInt8> = [8, 10, 11, 12, 13, 14, 17, 21, 29, 30]

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
    /// A 32-bit L1's gate is the low quadword alone (figure 6-2), with `code32Selector`.
    public static func idtGate(vector: UInt8, selector: UInt16 = GuestMemoryLayout.codeSelector) -> (low: UInt64, high: UInt64) {
        let offset = UInt64(Layout.handlers + Layout.handlerStride * Int(vector))
        let low = (offset & 0xFFFF) | UInt64(selector) << 16 | 0x8E << 40 | (offset >> 16 & 0xFFFF) << 48
        return (low, offset >> 32)
    }

    /// The 32-bit code descriptor of a 32-bit SVM L1 (and its nested guest) at
    /// `Layout.code32Selector`: base 0, limit FFFFFh, G, D, P, S, type Bh (SDM vol. 3 figure 3-8).
    public static let code32Descriptor: UInt64 = 0x00CF_9B00_0000_FFFF

    /// The GDT: null; 64-bit code (base 0, limit FFFFFh, G, L, P, S, type Bh); flat data (G, D/B,
    /// P, S, type 3h); the same data and code with DPL 3 (`Layout.userDataSelector`,
    /// `userCodeSelector`); an empty slot at `Layout.tssSelector` (TR is loaded through
    /// KVM_SET_SREGS); `code32Descriptor`. SDM vol. 3 figure 3-8. Exception delivery loads CS
    /// from it, IRETQ to CPL3 the user selectors, a 32-bit L1 its code segment.
    public static let gdt: [UInt64] = [0, 0x00AF_9B00_0000_FFFF, 0x00CF_9300_0000_FFFF, 0x00CF_F300_0000_FFFF,
                                       0x00AF_FB00_0000_FFFF, 0, code32Descriptor]
    /// GDTR's limit, and IDTR's (32 gates of 16 bytes; of 8 in 32-bit mode).
    public static let gdtLimit = UInt16(8 * gdt.count - 1)
    public static let idtLimit: UInt16 = 32 * 16 - 1
    public static let idtLimit32: UInt16 = 32 * 8 - 1

    static func le32(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    static func le32(_ value: Int) -> [UInt8] { le32(UInt32(value)) }

    /// Writes the GDT, IDT and handlers into a prepared machine and points GDTR and IDTR at them.
    /// `gates32`: 8-byte gates through `code32Selector`, for an L1 that runs in 32-bit mode.
    static func install(on machine: GuestMachine, gates32: Bool = false) throws(KVMError) {
        for (index, descriptor) in gdt.enumerated() { machine.write64(descriptor, at: Layout.gdt + 8 * index) }
        for vector in UInt8(0)..<32 {
            if gates32 {
                machine.write64(idtGate(vector: vector, selector: Layout.code32Selector).low, at: Layout.idt + 8 * Int(vector))
            } else {
                let gate = idtGate(vector: vector)
                machine.write64(gate.low, at: Layout.idt + 16 * Int(vector))
                machine.write64(gate.high, at: Layout.idt + 16 * Int(vector) + 8)
            }
            machine.load(handlerStub(vector: vector), at: Layout.handlers + Layout.handlerStride * Int(vector))
        }
        machine.load(handlerCommon, at: Layout.handlerCommon)
        var sregs = try machine.specialRegisters()
        sregs.gdt.base = UInt64(Layout.gdt)
        sregs.gdt.limit = gdtLimit
        sregs.idt.base = UInt64(Layout.idt)
        sregs.idt.limit = gates32 ? idtLimit32 : idtLimit
        try machine.setSpecialRegisters(sregs)
    }

    /// How a harness run ended: L1's reported exception (in the report count + 1'th round), the
    /// exits, whether L1 halted, and what stopped it otherwise.
    struct Run {
        var fault: NestedRunEvidence.Fault?
        var exits: [GuestExit] = []
        var halted = false
        var error: String?
    }
}

extension GuestRunner {
    /// Runs a harness's L1 until it halts (or reports `Port.finished`), shuts down, exits
    /// otherwise, or the deadline passes. An OUT to any other port but the fault ports goes to
    /// `report` (an SVM round's end), which returns nil to go on or the error that stops the run;
    /// each such report ends a round.
    func runL1(_ machine: GuestMachine, watchdog: GuestWatchdog, exitBudget: Int,
               report: (GuestExit) -> String?) throws(GuestRunFailure) -> L1Harness.Run {
        var run = L1Harness.Run()
        var reports = 0
        var faultParts: [UInt64] = []
        while run.exits.count < exitBudget {
            if watchdog.expired { throw .timedOut(nil) }
            let step: GuestMachine.Exit
            do throws(KVMError) {
                step = try machine.runOnce()
            } catch where error.errno == EINTR {
                run.exits.append(GuestExit(.intr, detail: "KVM_RUN returned EINTR: a signal (the watchdog's) interrupted the guest"))
                continue
            } catch {
                if error.isOwnLimit { throw .ownLimit(error) }
                run.error = error.description
                return run
            }
            run.exits.append(step.exit)
            switch (step.exit.kind, step.exit.port) {
            case (.io?, L1Harness.Port.faultVector), (.io?, L1Harness.Port.faultErrorCode):
                faultParts.append(step.exit.value ?? 0)
            case (.io?, L1Harness.Port.faultRIP):
                run.fault = NestedRunEvidence.Fault(vector: UInt8(truncatingIfNeeded: faultParts.first ?? 0),
                                                    errorCode: faultParts.dropFirst().first ?? 0, rip: step.exit.value ?? 0,
                                                    round: reports + 1)
            case (.hlt?, _), (.io?, L1Harness.Port.finished):
                // Before the catch-all port below: a CPL3 L1 ends on port 17h where HLT would fault.
                run.halted = true
                return run
            case (.io?, _):
                if let error = report(step.exit) {
                    run.error = error
                    return run
                }
                reports += 1
            case (.shutdown?, _):
                // The control registers KVM gave L1 say what broke it (after an SVM #VMEXIT they
                // must be what VMRUN saved: APM 15.7).
                let state = (try? machine.specialRegisters()).map {
                    " with CR0 \(Hex.compact($0.cr0)), CR3 \(Hex.compact($0.cr3)), CR4 \(Hex.compact($0.cr4)), EFER \(Hex.compact($0.efer))"
                } ?? ""
                run.error = "L1 shut down (a triple fault) in round \(reports + 1)" + state
                return run
            default:
                run.error = "unexpected exit \(step.exit.reason)" + (step.exit.port.map { " (port \(String($0, radix: 16))h)" } ?? "")
                    + (step.exit.detail.map { " (\($0))" } ?? "")
                    + " in round \(reports + 1)"
                return run
            }
        }
        run.error = "no HLT after \(run.exits.count) exits"
        return run
    }
}
