import CShims
import FoundationEssentials
import Glibc
import HostModel

extension GuestRunner {
    /// The result window programs store into (guest-physical), read back after the run.
    public static let resultWindow = GuestMemoryLayout.resultWindow
    /// What every IN of a program reads: each byte 0xA5.
    public static let inByte: UInt8 = 0xA5

    /// Runs arbitrary programs (each in a fresh VM set up as `prepare` does for its mode) until
    /// HLT, shutdown or any exit other than I/O, and returns their final state and exits. Used by
    /// the differential run; like `run`, it belongs in the `__guest-run` child. Throws when no
    /// program could be run at all (/dev/kvm refused, the watchdog not armed) or when virtcheck
    /// ran out of its own resources (`KVMError.isOwnLimit`): such a run compares nothing, and
    /// reporting each program as a disagreement would blame the interpreter or KVM for it.
    public func runPrograms(device path: String = "/dev/kvm") throws(KVMError) -> [GuestProgramOutcome] {
        let device = try KVMDevice(path: path)
        let watchdog = try GuestWatchdog(limitNanoseconds: timeLimitNanoseconds)
        defer { watchdog.disarm() }
        return try programs.map { (program) throws(KVMError) in try runOne(program, device: device, watchdog: watchdog) }
    }

    private func runOne(_ program: GuestProgram, device: KVMDevice, watchdog: GuestWatchdog) throws(KVMError) -> GuestProgramOutcome {
        var exits: [GuestExit] = []
        func outcome(_ machine: GuestMachine?, error: String?) -> GuestProgramOutcome {
            guard let machine, let regs = try? machine.registers(), let sregs = try? machine.specialRegisters() else {
                return GuestProgramOutcome(name: program.name, registers: [], rip: nil, rflags: nil, cr0: nil, cr4: nil,
                                           exits: exits, resultMemory: nil, error: error ?? "registers unreadable")
            }
            let gprs = [regs.rax, regs.rcx, regs.rdx, regs.rbx, regs.rsp, regs.rbp, regs.rsi, regs.rdi,
                        regs.r8, regs.r9, regs.r10, regs.r11, regs.r12, regs.r13, regs.r14, regs.r15]
            let window = stride(from: GuestRunner.resultWindow.lowerBound, to: GuestRunner.resultWindow.upperBound, by: 8)
                .map { machine.read64(at: $0) }
            let hex = BinaryEvidence.hex(window.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * UInt64($0))) } })
            return GuestProgramOutcome(name: program.name, registers: gprs, rip: regs.rip, rflags: regs.rflags,
                                       cr0: sregs.cr0, cr4: sregs.cr4, exits: exits, resultMemory: hex, error: error)
        }
        let machine: GuestMachine
        // A VM of its own per program: these programs may leave state that `GuestMachine.reset`
        // does not restore (FPU, MSRs), which the next would read; `check`'s three guests set
        // all the state they use, so they share one.
        do throws(KVMError) {
            machine = try prepare(program, on: GuestMachine(device: device, memorySize: GuestProgram.Layout.memorySize))
        } catch {
            if error.isOwnLimit { throw error }
            return outcome(nil, error: error.description)
        }
        while exits.count < 64 {
            if watchdog.expired { return outcome(machine, error: "stopped by the time limit") }
            do throws(KVMError) {
                let step = try machine.runOnce()
                exits.append(step.exit)
                if step.exit.reason != "io" { return outcome(machine, error: nil) }
                if step.exit.direction == "in" { machine.answerIn(byte: GuestRunner.inByte) }
            } catch where error.errno == EINTR {
                continue
            } catch {
                if error.isOwnLimit { throw error }
                return outcome(machine, error: error.description)
            }
        }
        return outcome(machine, error: "no HLT after \(exits.count) exits")
    }
}
