import ArgumentParser
import CShims
import Emulator
import FoundationEssentials
import Glibc
import HostModel
import HostProbe
import Reporting
import Validation

/// `virtcheck __guest-run`: the child side of the proof by execution. The parent
/// (`GuestRunSupervisor`) starts this with posix_spawn, reads the GuestRunEvidence JSON it prints,
/// and kills it if it overstays; running the guests in a child keeps a stuck KVM_RUN, a crash in
/// the backend or a leaked VM from ever reaching the main process.
struct GuestRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: GuestRunSupervisor.subcommand,
        abstract: "Internal: runs the KVM test guests in this process and prints the evidence as JSON.",
        shouldDisplay: false
    )

    /// One hour: far beyond any guest run, and small enough that the limit in nanoseconds cannot overflow.
    static let maxTimeLimitMs: UInt64 = 3_600_000

    @Option(name: .customLong("time-limit-ms"), help: "Stop the guests (KVM_RUN returns EINTR) after this many milliseconds (1 to 3600000).")
    var timeLimitMs: UInt64 = GuestRunner.defaultTimeLimitNanoseconds / 1_000_000

    @Option(name: .customLong("spin"), help: "Run only a guest that never exits, in this mode (real or long64), to test the time limits.")
    var spin: GuestProgram.Mode?

    /// The SVM harness's cases that `--svm-case` runs on their own.
    enum SVMCase: String, ExpressibleByArgument, CaseIterable {
        /// The nested run of `check` (4 VMRUN/#VMEXIT round trips).
        case nested
        /// The same with EFER.SVME left clear: VMRUN must raise #UD (APM vol. 3, VMRUN), caught by L1's IDT.
        case nestedSVMEOff = "nested-svme-off"
        /// The same, run from CPL3 (L1 drops to ring 3 with IRETQ): the #UD comes from user mode
        /// through the TSS's RSP0 to L1's IDT, the path of the vectors that start at CPL3.
        case userModeSVMEOff = "user-mode-svme-off"
    }

    @Option(name: .customLong("svm-case"), help: "Run only this SVM harness case (nested, nested-svme-off, user-mode-svme-off) and print its evidence.")
    var svmCase: SVMCase?

    @Flag(name: .customLong("svm-vectors"), help: "Run the built-in SVM vectors the harness can express (verify --on-cpu) and print each case's report.")
    var svmVectors = false

    @Flag(name: .customLong("vmx-vectors"), help: "Run the built-in VMX vectors the harness can express (verify --on-cpu) and print each case's report.")
    var vmxVectors = false

    @Option(name: .customLong("vmx-case"), help: "Run only the VMX harness case of this built-in vector (say vmxon.ud.cr4-vmxe) and print its report.")
    var vmxCase: String?

    @Option(name: .customLong("program"), help: "Run this program instead (NAME:MODE:HEX, repeatable) and print its final state and exits.")
    var programs: [String] = []

    @Flag(name: .customLong("cpl3-probes"), help: "First run the CPL3 probes and write their evidence to descriptor 3 (check's one child for both).")
    var cpl3Probes = false

    @Flag(name: .customLong("supported-cpuid"), help: "After the guests, write the CPUID KVM_GET_SUPPORTED_CPUID gave them to descriptor 4 (check's KVM probe takes it).")
    var supportedCpuid = false

    func validate() throws {
        guard (1...Self.maxTimeLimitMs).contains(timeLimitMs) else {
            throw ValidationError("--time-limit-ms must be between 1 and \(Self.maxTimeLimitMs), got \(timeLimitMs)")
        }
    }

    func run() throws {
        if svmVectors || svmCase != nil { return try runSVM() }
        if vmxVectors || vmxCase != nil { return try runVMX() }
        try Self.execute(timeLimitMs: timeLimitMs, spin: spin, programs: programs, cpl3Probes: cpl3Probes,
                         supportedCpuid: supportedCpuid)
    }

    /// `--svm-vectors` (verify --on-cpu's child) and `--svm-case` (the harness's tests).
    func runSVM() throws {
        GuestRunSupervisor.bindChildToParent()
        let runner = GuestRunner(programs: [], measureLatency: false, timeLimitNanoseconds: timeLimitMs * 1_000_000)
        if svmVectors {
            let vectors: [ConformanceVector]
            do { vectors = try BuiltInVectors.load() } catch { throw CLIError.input(error.description).exit() }
            let cases = OnCPUSVMRun.plan(vectors).compactMap { plan -> SVMGuestCase? in
                if case .run(_, let svmCase) = plan { svmCase } else { nil }
            }
            let reports: [SVMCaseReport]
            do throws(KVMError) { reports = try runner.runSVMCases(cases) } catch {
                throw CLIError.input(error.isOwnLimit ? error.ownLimitDescription : error.description).exit()
            }
            return try Emit.write(ReportEncoder.serialized(reports) + "\n", to: nil)
        }
        var chosen = SVMNestedRun.roundTripCase()
        if svmCase == .nestedSVMEOff || svmCase == .userModeSVMEOff { chosen.eferSet = 0 }
        chosen.userMode = svmCase == .userModeSVMEOff
        try Emit.write(ReportEncoder.serialized(runner.runSVMCase(chosen)) + "\n", to: nil)
    }

    /// `--vmx-vectors` (verify --on-cpu's child) and `--vmx-case` (the harness's tests). The cases
    /// are planned for the guest's VMX capabilities; where KVM offers none (a `--vmx-case` test on
    /// a host without nested VMX), for the reference CPU's, with IA32_FEATURE_CONTROL left as
    /// KVM has it, since its VMX bits are reserved there.
    func runVMX() throws {
        GuestRunSupervisor.bindChildToParent()
        let runner = GuestRunner(programs: [], measureLatency: false, timeLimitNanoseconds: timeLimitMs * 1_000_000)
        let vectors: [ConformanceVector]
        do { vectors = try BuiltInVectors.load() } catch { throw CLIError.input(error.description).exit() }
        let offered = OnCPUVMXRun.guestCapabilities()
        let plans = OnCPUVMXRun.plan(vectors, guest: (try? offered.get()) ?? .reference)
        var cases = plans.compactMap { plan -> VMXGuestCase? in
            if case .run(_, let vmxCase) = plan { vmxCase } else { nil }
        }
        if let name = vmxCase {
            guard let chosen = cases.first(where: { $0.name == name }) else {
                throw CLIError.input("--vmx-case: \(name) is no built-in VMX vector the harness can express").exit()
            }
            cases = [chosen]
            if case .failure = offered { cases[0].featureControl = nil }
            return try Emit.write(ReportEncoder.serialized(runner.runVMXCase(cases[0])) + "\n", to: nil)
        }
        if case .failure(let error) = offered { throw CLIError.input(error.description).exit() }
        let reports: [VMXCaseReport]
        do throws(KVMError) { reports = try runner.runVMXCases(cases) } catch {
            throw CLIError.input(error.isOwnLimit ? error.ownLimitDescription : error.description).exit()
        }
        try Emit.write(ReportEncoder.serialized(reports) + "\n", to: nil)
    }

    /// The forms `GuestRunSupervisor` starts (`--time-limit-ms N`, N in range, then
    /// `--cpl3-probes`, then `--supported-cpuid`, each or neither: check's child has both), read
    /// without ArgumentParser, whose parse (its completion-script check above all) was half of
    /// this child's instructions (callgrind, issue 16); nil for any other form, which goes through
    /// `main` (help, errors and the test options as before).
    static func supervisorForm(_ arguments: [String]) -> (timeLimitMs: UInt64, cpl3Probes: Bool, supportedCpuid: Bool)? {
        guard (2...4).contains(arguments.count), arguments[0] == "--time-limit-ms", let ms = UInt64(arguments[1]),
              (1...maxTimeLimitMs).contains(ms) else { return nil }
        var rest = arguments.dropFirst(2)
        let cpl3Probes = rest.first == GuestRunSupervisor.cpl3ProbesFlag
        if cpl3Probes { rest = rest.dropFirst() }
        let supportedCpuid = rest.first == GuestRunSupervisor.supportedCpuidFlag
        if supportedCpuid { rest = rest.dropFirst() }
        return rest.isEmpty ? (ms, cpl3Probes, supportedCpuid) : nil
    }

    /// What KVM_GET_SUPPORTED_CPUID gave the guests' device (among `retained`, cached there: no
    /// second ioctl), written to `GuestRunSupervisor.supportedCpuidDescriptor` and the descriptor
    /// closed, so the parent's collection does not wait for the VM's teardown. Nothing is written
    /// when the device did not open or the ioctl failed: the parent then asks the kernel itself.
    static func writeSupportedCpuid(_ retained: [AnyObject]) {
        defer { close(GuestRunSupervisor.supportedCpuidDescriptor) }
        guard let device = retained.lazy.compactMap({ $0 as? KVMDevice }).first,
              let entries = try? device.supportedCpuidEntries() else { return }
        try? OutputFile.writeAll(GuestRunSupervisor.packed(supportedCpuid: entries), to: GuestRunSupervisor.supportedCpuidDescriptor,
                                 path: "the supported-CPUID descriptor")
    }

    /// The CPL3 probes, run before any guest; their raw results (`Cpl3Prober.packedObservation`,
    /// which the parent reads) are written to `GuestRunSupervisor.cpl3Descriptor` and the
    /// descriptor closed, so the parent has them whatever the guests do next. A write that fails
    /// leaves the parent without them, which it reports.
    static func writeCpl3Evidence() {
        try? OutputFile.writeAll(Cpl3Prober.packedObservation(), to: GuestRunSupervisor.cpl3Descriptor, path: "the CPL3 descriptor")
        close(GuestRunSupervisor.cpl3Descriptor)
    }

    /// Runs the guests and prints their evidence. The JSON is ReportEncoder's (explicit nulls),
    /// which the parent reads (`SnapshotCoding.decode`) as it read JSONEncoder's.
    static func execute(timeLimitMs: UInt64, spin: GuestProgram.Mode?, programs: [String], cpl3Probes: Bool = false,
                        supportedCpuid: Bool = false) throws {
        GuestRunSupervisor.bindChildToParent()
        if cpl3Probes { writeCpl3Evidence() }
        if !programs.isEmpty {
            let parsed = try programs.map { spec in
                do {
                    return try GuestProgram(spec: spec)
                } catch {
                    throw ValidationError("\(error)")
                }
            }
            let runner = GuestRunner(programs: parsed, measureLatency: false, timeLimitNanoseconds: timeLimitMs * 1_000_000)
            let outcomes: [GuestProgramOutcome]
            do throws(KVMError) { outcomes = try runner.runPrograms() } catch {
                throw CLIError.input(error.isOwnLimit ? error.ownLimitDescription : error.description).exit()
            }
            try Emit.write(ReportEncoder.serialized(outcomes) + "\n", to: nil)
            return
        }
        let runner = GuestRunner(programs: spin.map { [.spin($0)] } ?? [.realMode, .long64],
                                 measureLatency: spin == nil, runsNested: spin == nil,
                                 timeLimitNanoseconds: timeLimitMs * 1_000_000)
        var vms: [AnyObject] = []
        let evidence = runner.run(retaining: &vms)
        if supportedCpuid { writeSupportedCpuid(vms) }
        try Emit.write(ReportEncoder.serialized(evidence) + "\n", to: nil)
        // The evidence is out: stdout and stderr are closed (onto /dev/null) so the parent reads
        // its end now; the VM is torn down only after that, when `vms` is let go, and at idle
        // priority: the kernel's teardown (0.7 to 1.4 ms) then waits for a CPU the parent's
        // assessment and report do not want (issue 16).
        withExtendedLifetime(vms) {
            GuestRunCommand.closeOutput()
            _ = vc_schedule_idle()
        }
    }

    /// Points stdout and stderr at /dev/null, closing the parent's pipes; nothing is written after.
    static func closeOutput() {
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        guard null >= 0 else { return }
        dup2(null, STDOUT_FILENO)
        dup2(null, STDERR_FILENO)
        close(null)
    }
}

extension GuestProgram.Mode: ExpressibleByArgument {}
