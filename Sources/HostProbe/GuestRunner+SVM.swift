import CShims
import FoundationEssentials
import Glibc
import HostModel

extension GuestRunner {
    /// Runs one `SVMGuestCase` in a fresh VM (the long-mode start state of `prepare`, plus the
    /// harness's GDT, IDT, handlers, parameter block, VMCB and nested-guest code) until L1 halts,
    /// shuts down, exits otherwise, or the watchdog's deadline passes. Own-limit errors and the
    /// deadline are thrown, as in `execute`; everything the guest did is the outcome.
    func runSVM(_ svmCase: SVMGuestCase, device: KVMDevice, watchdog: GuestWatchdog) throws(GuestRunFailure) -> SVMGuestOutcome {
        typealias Layout = GuestMemoryLayout.SVM
        typealias Harness = GuestMemoryLayout.Harness
        let p = Harness.parameters
        var outcome = SVMGuestOutcome(rounds: [], raxPage: nil, fault: nil, exits: [], halted: false, error: nil)
        let program = GuestProgram(name: svmCase.name, mode: .long64,
                                   code: SVMGuestProgram.l1Code(svmCase.instruction, l1: svmCase.l1, clearGIF: svmCase.clearGIF,
                                                                userMode: svmCase.userMode, readBack: svmCase.readBack),
                                   expected: nil, checksPaging: false)
        // A 32-bit L1 starts from the same state, then gets its own code segment, gates and paging.
        let tables32 = SVMGuestProgram.pageTables32(svmCase.l1)
        let machine: GuestMachine
        do throws(KVMError) {
            // A fresh VM per case: the nested state (EFER.SVME, VM_HSAVE_PA, GIF) must not carry over.
            machine = try prepare(program, on: GuestMachine(device: device, memorySize: GuestProgram.Layout.memorySize))
            try L1Harness.install(on: machine, gates32: tables32 != nil)
            for entry in tables32?.entries ?? [] {
                machine.load((0..<entry.width).map { UInt8(truncatingIfNeeded: entry.value >> (8 * UInt64($0))) }, at: entry.address)
            }
            machine.write64(UInt64(svmCase.rounds), at: p + Layout.Parameter.rounds.rawValue)
            machine.write64(svmCase.skip, at: p + Layout.Parameter.skip.rawValue)
            machine.write64(svmCase.eferSet, at: p + Layout.Parameter.eferSet.rawValue)
            machine.write64(svmCase.rax, at: p + Layout.Parameter.rax.rawValue)
            machine.write64(svmCase.hostSave, at: p + Layout.Parameter.hostSave.rawValue)
            machine.load(svmCase.vmcb, at: Layout.vmcb)
            machine.load(svmCase.l2Code, at: Harness.l2Code)
            for (address, bytes) in svmCase.pages.sorted(by: { $0.key < $1.key }) { machine.load(bytes, at: address) }
            var sregs = try machine.specialRegisters()
            if let tables32 {
                // 32-bit protected mode with paging (SVM instructions #UD without it: APM 15.4).
                sregs.cs.selector = Harness.code32Selector
                sregs.cs.l = 0
                sregs.cs.db = 1
                sregs.cr3 = UInt64(tables32.cr3)
                sregs.cr4 = svmCase.l1 == .pae32 ? GuestMemoryLayout.longModeCR4 : 0 //  PAE, or none
                sregs.efer = 0
            }
            if svmCase.userMode {
                // Ring 3 reaches its code and data only through user pages (U/S, bit 2, at every
                // level: SDM vol. 3 4.6.1), and an exception it takes switches to the TSS's RSP0.
                for entry in GuestMemoryLayout.pageTableEntries { machine.write64(entry.value | 0x4, at: entry.address) }
                machine.write64(UInt64(GuestMemoryLayout.stackTop), at: Harness.tss + 4)
                sregs.tr.base = UInt64(Harness.tss)
                sregs.tr.limit = UInt32(Harness.tssLimit)
                sregs.tr.selector = Harness.tssSelector
                sregs.tr.type = 0xB //                       64-bit TSS, busy
                sregs.tr.present = 1
                sregs.tr.s = 0
            }
            try machine.setSpecialRegisters(sregs)
        } catch {
            if error.isOwnLimit { throw .ownLimit(error) }
            outcome.error = error.description
            return outcome
        }
        let raxPage = Int(truncatingIfNeeded: svmCase.rax & ~0xFFF)
        func readPage(_ address: Int) -> VMCBImage {
            var image = VMCBImage()
            for i in 0..<VMCBField.size / 8 { image.write(machine.read64(at: address + 8 * i), at: 8 * i, width: 8) }
            return image
        }
        // Each round takes one report; a fault three; HLT one; room for EINTRs besides.
        let run = try runL1(machine, watchdog: watchdog, exitBudget: 4 * Int(svmCase.rounds) + 16) { exit in
            guard exit.port == SVMGuestProgram.Port.roundDone else {
                return "unexpected exit \(exit.reason)" + (exit.port.map { " (port \(String($0, radix: 16))h)" } ?? "")
                    + " in round \(outcome.rounds.count + 1)"
            }
            let regs: kvm_regs
            do throws(KVMError) { regs = try machine.registers() } catch { return error.description }
            outcome.rounds.append(SVMGuestOutcome.Round(vmcb: readPage(Layout.vmcb), rax: regs.rax, rbx: regs.rbx))
            if svmCase.readBack { outcome.l1Saved = readPage(Layout.readBack) }
            if svmCase.rax < UInt64(machine.memorySize) { outcome.raxPage = readPage(raxPage) }
            return nil
        }
        // The page as the run left it, also where the instruction faulted before any round.
        if run.halted, svmCase.rax < UInt64(machine.memorySize) { outcome.raxPage = readPage(raxPage) }
        outcome.fault = run.fault
        outcome.exits = run.exits
        outcome.halted = run.halted
        outcome.error = run.error
        return outcome
    }

    /// Whether KVM's supported CPUID offers NRIP save (Fn8000_000A EDX[3]): then #VMEXIT stores
    /// nRIP, and the judge holds the nested run to it.
    static func offersNextRIPSave(_ leaves: [kvm_cpuid_entry2]) -> Bool {
        leaves.first { $0.function == 0x8000_000A }.map { $0.edx >> 3 & 1 == 1 } ?? false
    }

    /// The nested runs where KVM offers SVM to its guests (`SVMNestedRun`): the 64-bit L1's, then,
    /// when it completed, the 32-bit L1s' (PAE, 2-level paging) with a paging-off nested guest, so
    /// `kvm.nested` can say which guest hypervisors nest. Nil where KVM offers no SVM, since then
    /// there is nothing to run (the `kvm.nested` rule says why from the CPUID).
    func runNested(device: KVMDevice, watchdog: GuestWatchdog) -> (long: NestedRunEvidence, legacyMode: [NestedRunEvidence]?)? {
        let leaves: [kvm_cpuid_entry2]
        do throws(KVMError) { leaves = try device.supportedCpuidEntries() } catch {
            return (SVMNestedRun.notRun(error.isOwnLimit ? .ownLimit(error) : .step(error)), nil)
        }
        let svm = leaves.first { $0.function == 0x8000_0001 }.map { $0.ecx >> 2 & 1 == 1 } ?? false
        guard svm else { return nil }
        let nrips = Self.offersNextRIPSave(leaves)
        let long = runNested(.long64, device: device, watchdog: watchdog, nextRIPSaved: nrips)
        guard long.ok else { return (long, nil) }
        return (long, [SVMGuestProgram.L1Mode.pae32, .legacy32].map { runNested($0, device: device, watchdog: watchdog, nextRIPSaved: nrips) })
    }

    /// The nested run of one L1 mode, in its own VM.
    func runNested(_ l1: SVMGuestProgram.L1Mode, device: KVMDevice, watchdog: GuestWatchdog, nextRIPSaved: Bool) -> NestedRunEvidence {
        let svmCase = SVMNestedRun.roundTripCase(l1: l1)
        do throws(GuestRunFailure) {
            let outcome = try runSVM(svmCase, device: device, watchdog: watchdog)
            return SVMNestedRun.judge(outcome, l1: l1, rounds: Int(svmCase.rounds), nextRIPSaved: nextRIPSaved)
        } catch {
            return SVMNestedRun.notRun(error, l1: l1)
        }
    }

    /// Runs one case on its own (`__guest-run --svm-case`), judged as the nested run is, with the
    /// same deadline and own-limit handling as `run`: for tests of the harness on any KVM,
    /// including one that offers no SVM (there L1's SVM instructions fault, and its IDT says how).
    public func runSVMCase(_ svmCase: SVMGuestCase, device path: String = "/dev/kvm") -> NestedRunEvidence {
        do throws(GuestRunFailure) {
            let (device, watchdog) = try openArmed(path)
            defer { watchdog.disarm() }
            let nrips = Self.offersNextRIPSave((try? device.supportedCpuidEntries()) ?? [])
            return SVMNestedRun.judge(try runSVM(svmCase, device: device, watchdog: watchdog), l1: svmCase.l1, rounds: Int(svmCase.rounds),
                                      nextRIPSaved: nrips)
        } catch {
            return SVMNestedRun.notRun(error, l1: svmCase.l1)
        }
    }

    /// Runs many cases (`__guest-run --svm-vectors`), each in a fresh VM, under one deadline
    /// (`runCases`): a case the deadline cut short, and every case after it, reports the time
    /// limit as its error.
    public func runSVMCases(_ cases: [SVMGuestCase], device path: String = "/dev/kvm") throws(KVMError) -> [SVMCaseReport] {
        try runCases(cases, device: path, run: { (svmCase, device, watchdog) throws(GuestRunFailure) -> SVMCaseReport in
            let o = try runSVM(svmCase, device: device, watchdog: watchdog)
            return SVMCaseReport(name: svmCase.name, fault: o.fault,
                                 exitCodes: o.raxPage.map { [$0[.exitCode]] } ?? o.rounds.map { $0.vmcb[.exitCode] },
                                 halted: o.halted, error: o.error, vmcb: o.raxPage.map(SVMCaseReport.words),
                                 l1Saved: o.l1Saved.map(SVMCaseReport.words))
        }, failed: { SVMCaseReport(name: $0.name, fault: nil, exitCodes: [], halted: false, error: $1) })
    }
}
