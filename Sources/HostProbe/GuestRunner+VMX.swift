import CShims
import FoundationEssentials
import Glibc
import HostModel

extension GuestRunner {
    /// Runs one `VMXGuestCase` in a fresh VM (the long-mode start state of `prepare`, the shared
    /// harness's GDT, IDT and handlers, IA32_FEATURE_CONTROL set through KVM_SET_MSRS, and the
    /// parameter block, region headers, VMWRITE table and nested-guest code) until L1 halts,
    /// shuts down, exits otherwise, or the deadline passes. Own-limit errors and the deadline are
    /// thrown, as in `runSVM`; everything the guest did is the report.
    func runVMX(_ vmxCase: VMXGuestCase, device: KVMDevice, watchdog: GuestWatchdog) throws(GuestRunFailure) -> VMXCaseReport {
        typealias Parameter = GuestMemoryLayout.VMX.Parameter
        let p = GuestMemoryLayout.Harness.parameters
        let code = VMXGuestProgram.l1(vmxCase.instruction)
        var report = VMXCaseReport(name: vmxCase.name, instructionRIP: UInt64(GuestMemoryLayout.entry + code.instructionOffset))
        guard max(vmxCase.writes.count, vmxCase.writesAfterExit.count) <= GuestMemoryLayout.VMX.maxWrites else {
            report.error = "\(vmxCase.writes.count) + \(vmxCase.writesAfterExit.count) VMWRITEs, more than a table's \(GuestMemoryLayout.VMX.maxWrites)"
            return report
        }
        let program = GuestProgram(name: vmxCase.name, mode: .long64, code: code.bytes, expected: nil, checksPaging: false)
        let machine: GuestMachine
        do throws(KVMError) {
            // A fresh VM per case: VMX operation, the current VMCS and the feature control lock must not carry over.
            machine = try prepare(program, on: GuestMachine(device: device, memorySize: GuestProgram.Layout.memorySize))
            try L1Harness.install(on: machine)
            if let value = vmxCase.featureControl {
                try machine.setMSRs([(VMXGuestCase.featureControlIndex, value)])
            }
            let values: [(Parameter, UInt64)] = [
                (.cr0, vmxCase.cr0), (.cr4, vmxCase.cr4), (.stage, vmxCase.stage.rawValue), (.vmxonPointer, vmxCase.vmxonPointer),
                (.vmcsPointer, vmxCase.vmcsPointer), (.writeCount, UInt64(vmxCase.writes.count)), (.operand, vmxCase.operand),
                (.rcx, vmxCase.rcx), (.rdx, vmxCase.rdx), (.rax, vmxCase.rax), (.descriptor, vmxCase.descriptorLow),
            ]
            for (parameter, value) in values { machine.write64(value, at: p + parameter.rawValue) }
            machine.write64(vmxCase.descriptorHigh, at: p + Parameter.descriptor.rawValue + 8)
            machine.write64(UInt64(vmxCase.writesAfterExit.count), at: p + Parameter.writeCountAfterExit.rawValue)
            for (table, writes) in [(GuestMemoryLayout.VMX.writes, vmxCase.writes), (GuestMemoryLayout.VMX.writesAfterExit, vmxCase.writesAfterExit)] {
                for (index, write) in writes.enumerated() {
                    machine.write64(UInt64(write.encoding), at: table + 16 * index)
                    machine.write64(write.value, at: table + 16 * index + 8)
                }
            }
            for (address, header) in vmxCase.headers.sorted(by: { $0.key < $1.key }) { machine.load(L1Harness.le32(header), at: address) }
            machine.load(vmxCase.l2Code, at: GuestMemoryLayout.Harness.l2Code)
        } catch {
            if error.isOwnLimit { throw .ownLimit(error) }
            report.error = error.description
            return report
        }
        // No report ports: L1 writes its results to the block. A fault takes three exits, HLT one.
        let run = try runL1(machine, watchdog: watchdog, exitBudget: 16) { exit in
            "unexpected exit \(exit.reason)" + (exit.port.map { " (port \(String($0, radix: 16))h)" } ?? "")
        }
        func read(_ parameter: Parameter) -> UInt64 { machine.read64(at: p + parameter.rawValue) }
        report.fault = run.fault
        report.halted = run.halted
        report.error = run.error
        report.step = read(.step)
        report.rflags = read(.rflags)
        report.raxAfter = read(.raxAfter)
        report.instructionError = read(.instructionError)
        report.exited = read(.exited) == 1
        report.exitReason = read(.exitReason)
        report.exitQualification = read(.exitQualification)
        report.setupFlags = read(.setupFlags)
        report.writesLeft = read(.writesLeft)
        return report
    }

    /// Runs one case on its own (`__guest-run --vmx-case`) with the same deadline and own-limit
    /// handling as `run`: for tests of the harness on any KVM, including one that offers no VMX
    /// (there L1's CR4.VMXE write or VMX instruction faults, and its IDT says how).
    public func runVMXCase(_ vmxCase: VMXGuestCase, device path: String = "/dev/kvm") -> VMXCaseReport {
        do throws(GuestRunFailure) {
            let (device, watchdog) = try openArmed(path)
            defer { watchdog.disarm() }
            return try runVMX(vmxCase, device: device, watchdog: watchdog)
        } catch {
            return VMXCaseReport(name: vmxCase.name, error: error.description)
        }
    }

    /// Runs many cases (`__guest-run --vmx-vectors`), each in a fresh VM, under one deadline.
    public func runVMXCases(_ cases: [VMXGuestCase], device path: String = "/dev/kvm") throws(KVMError) -> [VMXCaseReport] {
        try runCases(cases, device: path, run: runVMX) { VMXCaseReport(name: $0.name, error: $1) }
    }

    /// Runs `cases` one after another on one device under one deadline. Throws only what makes
    /// the whole run meaningless (no /dev/kvm, own limits); a case the deadline cut short, and
    /// every case after it, is `failed` with the reason.
    func runCases<Case, Report>(_ cases: [Case], device path: String,
                                run: (Case, KVMDevice, GuestWatchdog) throws(GuestRunFailure) -> Report,
                                failed: (Case, String) -> Report) throws(KVMError) -> [Report] {
        let device = try KVMDevice(path: path)
        let watchdog = try GuestWatchdog(limitNanoseconds: timeLimitNanoseconds)
        defer { watchdog.disarm() }
        var reports: [Report] = []
        for item in cases {
            guard !watchdog.expired else {
                reports.append(failed(item, "not run: time limit reached"))
                continue
            }
            do throws(GuestRunFailure) {
                reports.append(try run(item, device, watchdog))
            } catch {
                if case .ownLimit(let e) = error { throw e }
                reports.append(failed(item, error.description))
            }
        }
        return reports
    }
}
