import ArgumentParser
import Emulator
import Foundation
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

    /// `--on-cpu`: exit 3 with the reason where KVM offers neither VMX nor SVM to its guests. Where
    /// it offers one, running the vectors as guest code is not built yet: that is virtcheck's own
    /// limit, also exit 3, said plainly rather than passed off as agreement.
    func runOnCPU() throws {
        let backend = ["kvm_intel", "kvm_amd", "kvm_pvm"].first { FileManager.default.fileExists(atPath: "/sys/module/\($0)") }
        switch OnCPUAvailability.probe(backend: backend) {
        case .unavailable(let reason):
            Emit.diagnostic("virtcheck verify: --on-cpu: \(reason)\n")
        case .offered(let architecture, let backend, let guest):
            // The model configured from what KVM offers its guests (the L1 guest's CPUID).
            let offered = HostCapabilityModel.of(Snapshot(source: SourceInfo(kind: .live), cpuid: CPUIDEvidence(
                source: "KVM_GET_SUPPORTED_CPUID", status: .ok, cpus: [CPUIDTable(cpu: 0, leaves: guest)])))
            if let svm = offered.svm {
                print("KVM (\(backend ?? "backend unknown")) offers SVM to its guests: revision \(svm.revision), \(svm.asids) ASIDs, "
                      + "features \(svm.features.isEmpty ? "none" : svm.features.joined(separator: " ")); "
                      + "the model configured from them: VMRUN \(svm.modelVMRUN), nRIP saved on #VMEXIT: \(svm.modelNRIPSaved ? "yes" : "no")")
            }
            FileHandle.standardError.write(Data(("virtcheck verify: --on-cpu: KVM (\(backend ?? "backend unknown")) offers "
                + "\(architecture.rawValue.uppercased()) to its guests, but running the vectors as guest code is not built in this "
                + "version: no result\n").utf8))
        }
        throw ExitCode(3)
    }

    /// `--against-kvm`: the differential run. Every disagreement is printed with its SDM reference
    /// and, where a documented backend deviation names exactly that observation, the deviation. Exit 0 when every
    /// disagreement is explained, 1 on an unexplained one, 3 when /dev/kvm is absent.
    func runAgainstKVM() throws {
        guard FileManager.default.fileExists(atPath: KVMProbe.devicePath) else {
            Emit.diagnostic("virtcheck verify: /dev/kvm is absent: the differential run needs KVM\n")
            throw ExitCode(3)
        }
        // Without access nothing can be compared: unknown (3), not 86 disagreements (1).
        do throws(KVMError) { _ = try KVMDevice(path: KVMProbe.devicePath) } catch {
            let remedy = error.isOwnLimit ? KVMError.remedy(errno: error.errno) : "run as a user in the device's group, or as root"
            Emit.diagnostic("virtcheck verify: cannot open /dev/kvm (\(HostRoot.describe(errno: error.errno))): the differential run needs KVM; \(remedy)\n")
            throw ExitCode(3)
        }
        let results: [DifferentialResult]
        let backend = KernelReader.kvmBackend(root: .live)
        // The vCPU's CPUID decides which CR4 bits exist (a Zen 1 EPYC has no UMIP, for one).
        let cpuid = (try? KVMDevice(path: "/dev/kvm").supportedCpuid()) ?? []
        let reservedCR4 = cpuid.isEmpty ? 0 : DifferentialRunner.reservedCR4(cpuid: cpuid)
        switch DifferentialRunner.run(executable: "/proc/self/exe", backend: backend, reservedCR4: reservedCR4) {
        case .success(let r): results = r
        case .failure(let error):
            Emit.diagnostic("virtcheck verify: \(Sanitize.line(error.description))\n")
            throw ExitCode(3)
        }
        try Emit.write(format == .json ? try VerificationRenderer.json(results, backend: backend) : VerificationRenderer.text(results, backend: backend), to: nil)
        if results.contains(where: { !$0.unexplained.isEmpty }) { throw ExitCode(1) }
    }
}
