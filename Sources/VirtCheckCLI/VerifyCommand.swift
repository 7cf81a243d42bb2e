import ArgumentParser
import Emulator
import FoundationEssentials
import Glibc
import HostModel
import HostProbe
import Reporting
import Validation

/// `virtcheck verify`: runs the built-in VMX/SVM instruction model against the conformance
/// vectors written from the Intel SDM and AMD APM (Data/spec), plus any given with `--vectors`.
/// Exit 0 when every vector passes, 1 on any mismatch, 2 when a vector file is unusable.
public struct VerifyCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Checks the built-in VMX/SVM instruction model against conformance vectors from the Intel SDM and AMD APM.",
        discussion: """
        The model runs as the reference CPU (Intel Xeon Platinum 8180 VMX capability MSRs), the \
        configuration the built-in vectors are written for. Vector format: Data/spec/README.md.
        """
    )

    public enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        case text, json
    }

    @Option(name: .customLong("vectors"), help: "A vector file, or a folder of *.vectors files, to run besides the built-in suite (repeatable).")
    public var vectorPaths: [String] = []

    @Option(help: "Output format: text or json.")
    public var format: Format = .text

    @Flag(name: .customLong("against-kvm"), help: "Run the x86 guest-code interpreter's programs in a real KVM guest and compare (exit 3 without /dev/kvm).")
    public var againstKVM = false

    @Flag(name: .customLong("on-cpu"), help: "Run the VMX/SVM vectors as guest code on this CPU through KVM's nested virtualization (exit 3 where KVM offers neither VMX nor SVM to guests).")
    public var onCPU = false

    public init() {}

    /// `--vectors` feeds the model run only: with `--on-cpu` or `--against-kvm` the files were
    /// ignored without a word (the user's vectors never ran), and the two modes together ran one.
    public func validate() throws {
        if onCPU && againstKVM { throw ValidationError("--on-cpu and --against-kvm are separate runs; give one of them") }
        if !vectorPaths.isEmpty && (onCPU || againstKVM) {
            throw ValidationError("--vectors runs in the model only; --on-cpu and --against-kvm run the built-in vectors and programs")
        }
    }

    public func run() throws {
        if againstKVM { return try runAgainstKVM() }
        if onCPU { return try runOnCPU() }
        let report: VerificationReport
        do {
            var extra: [ConformanceVector] = []
            for path in vectorPaths { extra += try VectorFiles.load(path) }
            report = try VerificationReport.verify(extra: extra)
        } catch {
            throw CLIError.input(error.description).exit()
        }
        try Emit.write(format == .json ? try VerificationRenderer.json(report) : VerificationRenderer.text(report), to: nil)
        if !report.allPassed { throw ExitCode(1) }
    }

    /// `--on-cpu`: exit 3 with the reason where KVM offers neither VMX nor SVM to its guests.
    /// Where it offers SVM, the SVM vectors the harness can express run as guest code (in the
    /// `__guest-run --svm-vectors` child, under its deadline) and are compared with the model
    /// configured from the guest's CPUID: exit 0 when every disagreement is a documented deviation
    /// of the backend (`KnownDeviation`, per vector and observed outcome), 1 otherwise, 3 when
    /// nothing could run. Where it offers VMX, the VMX vectors run the same way (the
    /// `--vmx-vectors` child), compared with the model configured from the guest's VMX capability
    /// MSRs (KVM's feature MSRs); KVM offering VMX without those MSRs is exit 3 with the reason.
    func runOnCPU() throws {
        let backend = ["kvm_intel", "kvm_amd", "kvm_pvm"].first { FileManager.default.fileExists(atPath: "/sys/module/\($0)") }
        switch OnCPUAvailability.probe(backend: backend) {
        case .unavailable(let reason):
            try notRun(.onCPU, reason)
        case .offered(.vmx, let backend, let leaves):
            let guest: VMXCapabilityMSRs
            switch OnCPUVMXRun.guestCapabilities() {
            case .success(let c): guest = c
            case .failure(let error):
                try notRun(.onCPU, "KVM (\(backend ?? "backend unknown")) offers VMX to its guests, but \(error.description)")
            }
            let perfBits = OnCPUVMXRun.definedPerfGlobalCtrlBits(leaves)
            let model = HostCapabilityModel.vmx(guest, source: "KVM's feature MSRs").vmx.map { vmx in
                "revision \(Hex.compact(UInt64(vmx.revisionId))), CR0 must-be-one \(vmx.cr0MustBeOne), CR4 must-be-one \(vmx.cr4MustBeOne), "
                    + "\(vmx.addressWidth)-bit addresses, EPT \(vmx.ept ? "yes" : "no"), VPID \(vmx.vpid ? "yes" : "no"), "
                    + "VMCS shadowing \(vmx.vmcsShadowing ? "yes" : "no"); VMXON \(vmx.modelVMXON), VM entry \(vmx.modelVMEntry); "
                    + "IA32_PERF_GLOBAL_CTRL defined bits \(Hex.compact(perfBits)) (CPUID 0AH)"
            } ?? "no VMX model"
            let plans: [OnCPUVMXRun.Plan]
            do { plans = OnCPUVMXRun.plan(try BuiltInVectors.load(), guest: guest) } catch { throw CLIError.input(error.description).exit() }
            let seen = try runOnCPUChild("--vmx-vectors", { $0.runVMXCases() }) { report in
                let o = OnCPUVMXRun.observed(report)
                return (report.name, SVMCaseReportSummary(outcome: o.outcome, detail: o.detail))
            }
            return try finishOnCPU(OnCPUReport(backend: backend, architecture: "vmx", guestModel: model, plans: plans, reports: seen) { v, _ in
                OnCPUVMXRun.modelOutcome(v, guest: guest, perfGlobalCtrlBits: perfBits).map { OnCPUReport.ModelRun(outcome: $0) }
            })
        case .offered(.svm, let backend, let guest):
            // The model configured from what KVM offers its guests (the L1 guest's CPUID).
            let offered = HostCapabilityModel.of(Snapshot(source: SourceInfo(kind: .live), cpuid: CPUIDEvidence(
                source: "KVM_GET_SUPPORTED_CPUID", status: .ok, cpus: [CPUIDTable(cpu: 0, leaves: guest)])))
            let capabilities = OnCPUSVMRun.GuestCapabilities(leaves: guest)
            let model = offered.svm.map { svm in
                "revision \(svm.revision), \(svm.asids) ASIDs, features \(svm.features.isEmpty ? "none" : svm.features.joined(separator: " ")), "
                    + "\(svm.addressWidth)-bit physical addresses; VMRUN \(svm.modelVMRUN), nRIP saved on #VMEXIT: \(svm.modelNRIPSaved ? "yes" : "no"); "
                    + capabilities.eferSummary
            } ?? "no SVM leaf"
            let plans: [OnCPUSVMRun.Plan]
            do { plans = OnCPUSVMRun.plan(try BuiltInVectors.load()) } catch { throw CLIError.input(error.description).exit() }
            let instructions = Dictionary(plans.map { ($0.vector.name, $0.vector.instruction) }, uniquingKeysWith: { first, _ in first })
            let seen = try runOnCPUChild("--svm-vectors", { $0.runSVMCases() }) { report in
                let o = OnCPUSVMRun.observed(report, instruction: instructions[report.name] ?? .vmrun)
                return (report.name, SVMCaseReportSummary(outcome: o.outcome, detail: o.detail, report: report))
            }
            return try finishOnCPU(OnCPUReport(backend: backend, architecture: "svm", guestModel: model, plans: plans, reports: seen,
                                               guest: capabilities))
        }
    }

    /// Runs the vectors' child (`flag`, under its deadline) and classifies each case's report as
    /// `observe` reads it; exit 3 when the child gave no reports.
    func runOnCPUChild<Report>(_ flag: String, _ run: (GuestRunSupervisor) -> Result<[Report], GuestRunSupervisor.ProgramRunError>,
                               observe: (Report) -> (String, SVMCaseReportSummary)) throws -> [String: SVMCaseReportSummary] {
        let child = GuestRunSupervisor.childCommand(executable: "/proc/self/exe", extraArguments: [flag],
                                                    timeoutNanoseconds: Self.onCPUTimeoutNanoseconds)
        switch run(child) {
        case .success(let reports):
            var seen: [String: SVMCaseReportSummary] = [:]
            for report in reports {
                let (name, summary) = observe(report)
                seen[name] = summary
            }
            return seen
        case .failure(let error):
            try notRun(.onCPU, "the vectors did not run: \(error.description)")
        }
    }

    /// Exit 3, the run not made: the reason as one line on stderr, and the report saying so
    /// (`not_run` in JSON), since DESIGN.md's exit 3 still writes the report.
    func notRun(_ mode: VerificationNotRun.Mode, _ reason: String) throws -> Never {
        let line = Sanitize.line(reason)
        Emit.diagnostic("virtcheck verify: \(mode == .onCPU ? "--on-cpu: " : "")\(line)\n")
        let report = VerificationNotRun(mode: mode, reason: line)
        try Emit.write(format == .json ? try VerificationRenderer.json(report) : VerificationRenderer.text(report), to: nil)
        throw ExitCode(3)
    }

    /// Prints an on-CPU report; exit 3 when no vector gave an outcome, 1 on an unexplained disagreement.
    func finishOnCPU(_ report: OnCPUReport) throws {
        try Emit.write(format == .json ? try VerificationRenderer.json(report) : VerificationRenderer.text(report), to: nil)
        if report.results.allSatisfy({ $0.observed == nil }) {
            Emit.diagnostic("virtcheck verify: --on-cpu: no vector gave an outcome\n")
            throw ExitCode(3)
        }
        if report.unexplained > 0 { throw ExitCode(1) }
    }

    /// The vectors' child: a fresh VM per vector, slow under an emulated CPU (the lab's TCG).
    static let onCPUTimeoutNanoseconds: UInt64 = 240_000_000_000

    /// `--against-kvm`: the differential run. Every disagreement is printed with its SDM reference
    /// and, where a documented backend deviation names exactly that observation, the deviation. Exit 0 when every
    /// disagreement is explained, 1 on an unexplained one, 3 when /dev/kvm is absent.
    func runAgainstKVM() throws {
        guard FileManager.default.fileExists(atPath: KVMProbe.devicePath) else {
            try notRun(.againstKVM, "/dev/kvm is absent: the differential run needs KVM")
        }
        // Without access nothing can be compared: unknown (3), not 86 disagreements (1).
        do throws(KVMError) { _ = try KVMDevice(path: KVMProbe.devicePath) } catch {
            let remedy = error.isOwnLimit ? KVMError.remedy(errno: error.errno) : "run as a user in the device's group, or as root"
            try notRun(.againstKVM, "cannot open /dev/kvm (\(HostRoot.describe(errno: error.errno))): the differential run needs KVM; \(remedy)")
        }
        let results: [DifferentialResult]
        let backend = KernelReader.kvmBackend(root: .live)
        // The vCPU's CPUID decides which CR4 bits exist (a Zen 1 EPYC has no UMIP, for one).
        let cpuid = (try? KVMDevice(path: "/dev/kvm").supportedCpuid()) ?? []
        let reservedCR4 = cpuid.isEmpty ? 0 : DifferentialRunner.reservedCR4(cpuid: cpuid)
        switch DifferentialRunner.run(executable: "/proc/self/exe", backend: backend, reservedCR4: reservedCR4) {
        case .success(let r): results = r
        case .failure(let error):
            try notRun(.againstKVM, error.description)
        }
        try Emit.write(format == .json ? try VerificationRenderer.json(results, backend: backend) : VerificationRenderer.text(results, backend: backend), to: nil)
        if results.contains(where: { !$0.unexplained.isEmpty }) { throw ExitCode(1) }
    }
}
