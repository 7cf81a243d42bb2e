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

    public init() {}

    public func run() throws {
        if againstKVM { return try runAgainstKVM() }
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

    /// `--against-kvm`: the differential run. Every disagreement is printed with its SDM reference
    /// and, where documented, the backend deviation that explains it. Exit 0 when every
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
        if results.contains(where: { !$0.agrees && $0.knownDeviation == nil }) { throw ExitCode(1) }
    }
}
