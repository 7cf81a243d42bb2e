import Emulator
import Foundation
import HostModel
import HostProbe
import Testing
import VirtCheckTestSupport
@testable import Validation

/// The differential run on this machine's /dev/kvm, through the `virtcheck __guest-run` child
/// (never in the test process: the watchdog's signal must not reach it).
struct DifferentialTests {
    static let binary: String? = VirtCheckBinary.url?.path

    static let kvmUsable: Bool = {
        let fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }()

    static let backend = KernelReader.kvmBackend(root: .live)

    /// Every program agrees, or disagrees exactly where the backend's documented deviation says
    /// (kvm_pvm: guest user mode on the host's segments and flags).
    @Test(.enabled(if: kvmUsable && binary != nil, "needs a /dev/kvm this user can open and the built virtcheck"))
    func everyProgramAgreesWithRealKVMOrADocumentedDeviation() throws {
        let results = try DifferentialRunner.run(executable: try #require(Self.binary), backend: Self.backend).get()
        #expect(results.count == X86TestCorpus.programs.count)
        for r in results { #expect(r.agrees || r.knownDeviation != nil, "\(r.program): \(r.mismatches)") }
        // A program no deviation of this backend names must agree; real mode never deviates.
        for r in results where KnownDeviation.explaining(r.program, backend: Self.backend) == nil || r.program.hasPrefix("r-") {
            #expect(r.agrees, "\(r.program): \(r.mismatches)")
        }
        #expect(results.first { $0.program == "r-mov-add-out" }?.exits.first == "io:out port 0x10 size 2 value 0x1335")
    }

    /// A wrong prediction is caught: the comparison is not vacuous.
    @Test func aDisagreementIsReported() {
        let program = X86TestProgram("p", .long64, "innocuous", [0xB8, 5, 0, 0, 0, 0xF4], "")
        let kvm = GuestProgramOutcome(name: "p", registers: [6] + Array(repeating: 0, count: 3) + [0x7000] + Array(repeating: 0, count: 11),
                                      rip: 0x8006, rflags: 2, cr0: nil, cr4: nil, exits: [GuestExit(reason: "hlt", code: 5)],
                                      resultMemory: String(repeating: "0", count: 512), error: nil)
        let r = DifferentialRunner.compare(program, kvm)
        #expect(!r.agrees)
        #expect(r.mismatches == ["rax: predicted 0x5, KVM 0x6"])
    }
}
