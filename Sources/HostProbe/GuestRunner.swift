import CShims
import FoundationEssentials
import Glibc
import HostModel

/// Proof by execution, in this process: runs the test guests through /dev/kvm and measures exit
/// round trips. Every failure becomes evidence (the step and errno), never a crash; a guest that
/// never exits is stopped by a `GuestWatchdog`. Run it in a child process (`GuestRunSupervisor`)
/// unless the caller can afford to wait out the time limit itself.
public struct GuestRunner: Sendable {
    /// Guests whose result is checked, in order.
    public var programs: [GuestProgram]
    /// Whether to run the timing guest after the proof guests.
    public var measureLatency: Bool
    /// Whether to run the nested guest (`SVMNestedRun`) last, where KVM offers SVM to guests.
    public var runsNested: Bool
    public var timeLimitNanoseconds: UInt64
    /// Userspace round trips timed (the first, which includes vCPU warm-up, is dropped): 32
    /// samples put the median within a few per cent (p10 to p90 spans ±5 % on this project's
    /// machine), and each costs an exit to this process (12 µs there) on `check`'s path, where
    /// `check` waits for this child: eight times as many added 3 ms to every run (issue 16) and
    /// nothing to the verdict.
    public var userspaceExits: UInt32 = 33
    /// In-kernel exits: `batches` × `cpuidsPerBatch` CPUIDs; 20 batches give the p10 and p90, 15
    /// CPUIDs a batch (40 µs there) dwarf the marker exit's jitter (half a microsecond) divided
    /// among them.
    public var batches: UInt32 = 20
    public var cpuidsPerBatch: UInt32 = 15

    public static let defaultTimeLimitNanoseconds: UInt64 = 8_000_000_000

    public init(programs: [GuestProgram] = [.realMode, .long64], measureLatency: Bool = true, runsNested: Bool = false,
                timeLimitNanoseconds: UInt64 = GuestRunner.defaultTimeLimitNanoseconds) {
        self.programs = programs
        self.measureLatency = measureLatency
        self.runsNested = runsNested
        self.timeLimitNanoseconds = timeLimitNanoseconds
    }

    /// Opens the device and arms the deadline, as every run starts: a device that cannot be opened
    /// for virtcheck's own limits is `ownLimit`, any other failure a failed step; the watchdog is
    /// a timer and a signal handler of this process, so its failure is never KVM's.
    func openArmed(_ path: String) throws(GuestRunFailure) -> (KVMDevice, GuestWatchdog) {
        let device: KVMDevice
        do throws(KVMError) { device = try KVMDevice(path: path) } catch {
            throw error.isOwnLimit ? GuestRunFailure.ownLimit(error) : GuestRunFailure.step(error)
        }
        do throws(KVMError) {
            return (device, try GuestWatchdog(limitNanoseconds: timeLimitNanoseconds))
        } catch {
            throw GuestRunFailure.ownLimit(error)
        }
    }

    /// Runs on the calling thread (the watchdog's signal targets it) and returns the evidence.
    public func run(device path: String = "/dev/kvm") -> GuestRunEvidence {
        var vms: [AnyObject] = []
        return run(device: path, retaining: &vms)
    }

    /// `run`, with the device and the VM added to `retained` instead of closed on return: the
    /// guest-run child writes its evidence and closes its pipes first, and the VM is torn down
    /// when it lets `retained` go, after the parent has what it needs.
    public func run(device path: String = "/dev/kvm", retaining retained: inout [AnyObject]) -> GuestRunEvidence {
        var runs: [GuestModeRun] = []
        do throws(GuestRunFailure) {
            let (device, watchdog) = try openArmed(path)
            defer { watchdog.disarm() }
            retained.append(device)
            // One VM for every program, reset between them (`GuestMachine.reset`); made at the
            // first program, and each program reports the failure to make it, as before.
            var machine: GuestMachine?
            func vm() throws(KVMError) -> GuestMachine {
                if let machine { return machine }
                let made = try GuestMachine(device: device, memorySize: GuestProgram.Layout.memorySize)
                machine = made
                retained.append(made)
                return made
            }
            for program in programs {
                let run = try execute(program, machine: vm, watchdog: watchdog)
                runs.append(run)
            }
            var problems: [String] = []
            let failed = runs.filter { !$0.ok }.map(\.mode)
            if !failed.isEmpty { problems.append("guest did not return its expected value: \(failed.joined(separator: ", "))") }
            var latency: GuestRunEvidence.ExitLatency?
            if measureLatency {
                do throws(GuestRunFailure) { latency = try measure(machine: vm, watchdog: watchdog) } catch {
                    if error.isTimeout || error.ownLimit != nil { throw error }
                    problems.append(error.description)
                }
            }
            // Last, so a slow or stuck nested guest can only cost the nested evidence its deadline.
            let nested = runsNested ? runNested(device: device, watchdog: watchdog) : nil
            return GuestRunEvidence(ok: problems.isEmpty, runs: runs, exitLatencyNs: latency, timedOut: false,
                                    error: problems.isEmpty ? nil : problems.joined(separator: "; "), nested: nested?.long,
                                    nested32: nested?.legacyMode)
        } catch {
            if case .timedOut(let partial) = error, let partial { runs.append(partial) }
            return GuestRunEvidence(ok: false, runs: runs, exitLatencyNs: nil, timedOut: error.isTimeout,
                                    error: error.description, ownLimit: error.ownLimit)
        }
    }

    /// Why a run stopped early.
    enum GuestRunFailure: Error, CustomStringConvertible {
        case step(KVMError)
        /// virtcheck could not create what the run needs (a descriptor, memory, a VM, its
        /// watchdog timer): `KVMError.isOwnLimit`, or any watchdog failure.
        case ownLimit(KVMError)
        /// The time limit; carries the run that was cut short, with the exits seen so far.
        case timedOut(GuestModeRun?)
        case unexpected(String)

        var isTimeout: Bool { if case .timedOut = self { true } else { false } }

        /// `GuestRunEvidence.ownLimit` for this failure.
        var ownLimit: String? { if case .ownLimit(let error) = self { error.ownLimitDescription } else { nil } }

        var description: String {
            switch self {
            case .step(let error), .ownLimit(let error): error.description
            case .timedOut(let run): "time limit reached" + (run.map { " in the \($0.mode) guest" } ?? "")
            case .unexpected(let text): text
            }
        }
    }

    /// Prepares the run's VM for `program`, runs it to HLT (or failure), and checks its result.
    func execute(_ program: GuestProgram, machine vm: () throws(KVMError) -> GuestMachine,
                 watchdog: GuestWatchdog) throws(GuestRunFailure) -> GuestModeRun {
        var exits: [GuestExit] = []
        func failed(_ detail: String) -> GuestModeRun {
            GuestModeRun(mode: program.name, ok: false, expected: program.expected, observed: nil, exits: exits, detail: detail)
        }
        let machine: GuestMachine
        do throws(KVMError) {
            machine = try prepare(program, on: vm())
        } catch {
            if error.isOwnLimit { throw .ownLimit(error) }
            return failed(error.description)
        }
        while exits.count < 32 {
            if watchdog.expired { throw .timedOut(failed("stopped by the time limit")) }
            let step: GuestMachine.Exit
            do throws(KVMError) {
                step = try machine.runOnce()
            } catch where error.errno == EINTR {
                exits.append(GuestExit(.intr, detail: "KVM_RUN returned EINTR: a signal (the watchdog's) interrupted the guest"))
                continue
            } catch {
                // Under `ulimit -u` a software backend (kvm_pvm) cannot start its task: EAGAIN.
                if error.isOwnLimit { throw .ownLimit(error) }
                return failed(error.description)
            }
            exits.append(step.exit)
            switch step.exit.reason {
            case "io": continue
            case "hlt": return check(program, machine: machine, exits: exits)
            default: return failed("unexpected exit \(step.exit.reason)")
            }
        }
        return failed("no HLT after \(exits.count) exits")
    }

    /// The result the guest reported on `resultPort`, and for long mode the paging evidence.
    private func check(_ program: GuestProgram, machine: GuestMachine, exits: [GuestExit]) -> GuestModeRun {
        var observed: UInt64 = 0
        var shift: UInt64 = 0
        for exit in exits where exit.port == GuestProgram.resultPort && exit.direction == "out" {
            observed |= (exit.value ?? 0) << shift
            shift += UInt64(exit.size ?? 0) * 8
        }
        var problems: [String] = []
        if observed != program.expected { problems.append("reported \(Hex.format64(observed))") }
        var detail: String?
        if program.checksPaging, let expected = program.expected {
            let rax: UInt64?
            do throws(KVMError) { rax = try machine.registers().rax } catch { rax = nil; problems.append(error.description) }
            let atResult = machine.read64(at: GuestProgram.Layout.resultPhysical)
            let atAlias = machine.read64(at: GuestProgram.Layout.aliasVirtual)
            if let rax, rax != expected { problems.append("RAX \(Hex.format64(rax))") }
            if atResult != expected { problems.append("GPA 0x9000 holds \(Hex.format64(atResult))") }
            if atAlias != 0 { problems.append("GPA 0x1f0000 was written: paging did not translate") }
            detail = "product of \(Hex.format64(GuestProgram.factors.0)) and \(Hex.format64(GuestProgram.factors.1)) "
                + "written through VA 0x1f0000, found at GPA 0x9000, read back through VA 0x9000; RAX after HLT "
                + (rax.map(Hex.format64) ?? "unread")
        }
        return GuestModeRun(mode: program.name, ok: problems.isEmpty, expected: program.expected, observed: observed,
                            exits: exits, detail: problems.isEmpty ? detail : problems.joined(separator: "; "))
    }

    /// The VM reset, with the program loaded at `Layout.entry` and the vCPU in the program's mode.
    func prepare(_ program: GuestProgram, on machine: GuestMachine) throws(KVMError) -> GuestMachine {
        try machine.reset()
        machine.load(program.code, at: GuestProgram.Layout.entry)
        var sregs = try machine.specialRegisters()
        switch program.mode {
        case .real:
            sregs.cs.base = 0
            sregs.cs.selector = 0
        case .long64:
            buildPageTables(machine)
            sregs.cr3 = UInt64(GuestProgram.Layout.pml4)
            sregs.cr4 = GuestMemoryLayout.longModeCR4
            sregs.cr0 = GuestMemoryLayout.longModeCR0
            sregs.efer = GuestMemoryLayout.longModeEFER
            var code = kvm_segment()
            code.base = 0
            code.limit = 0xFFFF_FFFF
            code.selector = GuestMemoryLayout.codeSelector
            code.type = 0xB //                       execute/read, accessed
            code.present = 1
            code.s = 1
            code.l = 1 //                            64-bit code segment (D must be 0)
            code.g = 1
            var data = code
            data.selector = GuestMemoryLayout.dataSelector
            data.type = 0x3 //                       read/write, accessed
            data.l = 0
            data.db = 1
            sregs.cs = code
            sregs.ds = data
            sregs.es = data
            sregs.fs = data
            sregs.gs = data
            sregs.ss = data
        }
        try machine.setSpecialRegisters(sregs)
        var regs = kvm_regs()
        regs.rip = UInt64(GuestProgram.Layout.entry)
        regs.rsp = UInt64(GuestProgram.Layout.stackTop)
        regs.rflags = 0x2 //                         bit 1 is reserved and must be set
        try machine.setRegisters(regs)
        return machine
    }

    /// PML4[0] → PDPT[0] → PD[0] → one page table of 4 KiB pages mapping the first 2 MiB to
    /// itself, except VA 0x1F0000, which maps to physical 0x9000.
    private func buildPageTables(_ machine: GuestMachine) {
        for entry in GuestMemoryLayout.pageTableEntries { machine.write64(entry.value, at: entry.address) }
    }

    /// Times userspace exits (OUT round trips) and in-kernel exits (CPUID batches) in long mode.
    func measure(machine vm: () throws(KVMError) -> GuestMachine, watchdog: GuestWatchdog) throws(GuestRunFailure) -> GuestRunEvidence.ExitLatency {
        let program = GuestProgram.latency(outs: userspaceExits, batches: batches, cpuidsPerBatch: cpuidsPerBatch)
        let machine: GuestMachine
        do throws(KVMError) { machine = try prepare(program, on: vm()) } catch {
            if error.isOwnLimit { throw .ownLimit(error) }
            throw .unexpected("latency guest: \(error)")
        }
        var userspace: [Double] = []
        var markers: [Double] = []
        let budget = Int(userspaceExits) + Int(batches) + 2
        var seen = 0
        while seen < budget {
            if watchdog.expired { throw .timedOut(nil) }
            let step: GuestMachine.Exit
            do throws(KVMError) {
                step = try machine.runOnce()
            } catch where error.errno == EINTR {
                continue
            } catch {
                if error.isOwnLimit { throw .ownLimit(error) }
                throw .unexpected("latency guest: \(error)")
            }
            seen += 1
            switch (step.exit.reason, step.exit.port) {
            case ("io", GuestProgram.userspaceExitPort): userspace.append(Double(step.nanoseconds))
            case ("io", GuestProgram.batchMarkerPort): markers.append(Double(step.nanoseconds))
            case ("hlt", _): seen = budget
            default: throw .unexpected("latency guest: unexpected exit \(step.exit.reason) after \(seen - 1) exits")
            }
        }
        // The first OUT includes the program's first entry (after its registers were set); the first
        // marker only closes the OUT loop.
        guard userspace.count == Int(userspaceExits), markers.count == Int(batches) + 1,
              let roundTrip = LatencyStats(samples: Array(userspace.dropFirst())) else {
            throw .unexpected("latency guest: \(userspace.count) OUT exits and \(markers.count) markers, expected \(userspaceExits) and \(batches + 1)")
        }
        let perExit = markers.dropFirst().map { (max($0 - roundTrip.median, 0) / Double(cpuidsPerBatch) * 10).rounded() / 10 }
        var inKernel = LatencyStats(samples: perExit)
        inKernel?.samples = Int(batches * cpuidsPerBatch)
        return GuestRunEvidence.ExitLatency(userspace: roundTrip, inKernel: inKernel)
    }
}
