import CShims
import Foundation
import HostModel

extension GuestRunner {
    /// Runs one `SVMGuestCase` in a fresh VM (the long-mode start state of `prepare`, plus the
    /// harness's GDT, IDT, handlers, parameter block, VMCB and nested-guest code) until L1 halts,
    /// shuts down, exits otherwise, or the watchdog's deadline passes. Own-limit errors and the
    /// deadline are thrown, as in `execute`; everything the guest did is the outcome.
    func runSVM(_ svmCase: SVMGuestCase, device: KVMDevice, watchdog: GuestWatchdog) throws(GuestRunFailure) -> SVMGuestOutcome {
        typealias Layout = GuestMemoryLayout.SVM
        let p = GuestMemoryLayout.Harness.parameters
        var outcome = SVMGuestOutcome(rounds: [], raxPage: nil, fault: nil, exits: [], halted: false, error: nil)
        let program = GuestProgram(name: svmCase.name, mode: .long64, code: SVMGuestProgram.l1Code(svmCase.instruction),
                                   expected: nil, checksPaging: false)
        let machine: GuestMachine
        do throws(KVMError) {
            // A fresh VM per case: the nested state (EFER.SVME, VM_HSAVE_PA, GIF) must not carry over.
            machine = try prepare(program, on: GuestMachine(device: device, memorySize: GuestProgram.Layout.memorySize))
            try L1Harness.install(on: machine)
            machine.write64(UInt64(svmCase.rounds), at: p + Layout.Parameter.rounds.rawValue)
            machine.write64(svmCase.skip, at: p + Layout.Parameter.skip.rawValue)
            machine.write64(svmCase.eferSet, at: p + Layout.Parameter.eferSet.rawValue)
            machine.write64(svmCase.rax, at: p + Layout.Parameter.rax.rawValue)
            machine.write64(svmCase.hostSave, at: p + Layout.Parameter.hostSave.rawValue)
            machine.load(svmCase.vmcb, at: Layout.vmcb)
            machine.load(svmCase.l2Code, at: GuestMemoryLayout.Harness.l2Code)
            for (address, bytes) in svmCase.pages.sorted(by: { $0.key < $1.key }) { machine.load(bytes, at: address) }
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
            if svmCase.rax < UInt64(machine.memorySize) { outcome.raxPage = readPage(raxPage) }
            return nil
        }
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

    /// The nested run where KVM offers SVM to its guests (`SVMNestedRun`); nil where it offers
    /// no SVM, since then there is nothing to run (the `kvm.nested` rule says why from the CPUID).
    func runNested(device: KVMDevice, watchdog: GuestWatchdog) -> NestedRunEvidence? {
        let leaves: [kvm_cpuid_entry2]
        do throws(KVMError) { leaves = try device.supportedCpuidEntries() } catch {
            return SVMNestedRun.notRun(error.isOwnLimit ? .ownLimit(error) : .step(error))
        }
        let svm = leaves.first { $0.function == 0x8000_0001 }.map { $0.ecx >> 2 & 1 == 1 } ?? false
        guard svm else { return nil }
        let nrips = Self.offersNextRIPSave(leaves)
        let svmCase = SVMNestedRun.roundTripCase()
        do throws(GuestRunFailure) {
            let outcome = try runSVM(svmCase, device: device, watchdog: watchdog)
            return SVMNestedRun.judge(outcome, rounds: Int(svmCase.rounds), nextRIPSaved: nrips)
        } catch {
            return SVMNestedRun.notRun(error)
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
            return SVMNestedRun.judge(try runSVM(svmCase, device: device, watchdog: watchdog), rounds: Int(svmCase.rounds), nextRIPSaved: nrips)
        } catch {
            return SVMNestedRun.notRun(error)
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
                                 halted: o.halted, error: o.error)
        }, failed: { SVMCaseReport(name: $0.name, fault: nil, exitCodes: [], halted: false, error: $1) })
    }
}
