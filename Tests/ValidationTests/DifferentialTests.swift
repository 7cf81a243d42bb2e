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
        for r in results where !KnownDeviation.concerns(r.program, backend: Self.backend) || r.program.hasPrefix("r-") {
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
        #expect(r.unexplained.count == 1 && r.knownDeviation == nil)
    }

    /// A deviation excuses only the observation it names: kvm_pvm's documented u-pushf result
    /// (RFLAGS 0x202) is known, any other value in the same program is a regression.
    @Test func aDeviationExcusesOnlyTheValueItNames() {
        let program = X86TestProgram("u-pushf", .long64, "PUSHF", [0xF4], "")
        func outcome(_ pushed: UInt64) -> GuestProgramOutcome {
            GuestProgramOutcome(name: "u-pushf", registers: [], rip: nil, rflags: nil, cr0: nil, cr4: nil,
                                exits: [GuestExit(.io, port: 0x10, size: 4, direction: "out", value: pushed), GuestExit(.shutdown)],
                                resultMemory: nil, error: nil)
        }
        let documented = DifferentialRunner.compare(program, outcome(0x202), backend: "kvm_pvm")
        #expect(!documented.agrees && documented.knownDeviation != nil && documented.unexplained.isEmpty)
        let regression = DifferentialRunner.compare(program, outcome(0x246), backend: "kvm_pvm")
        #expect(!regression.agrees && regression.knownDeviation == nil && regression.unexplained.count == 1)
        let otherBackend = DifferentialRunner.compare(program, outcome(0x202), backend: "kvm_intel")
        #expect(otherBackend.knownDeviation == nil)
    }

    /// Found by the lab (docs/lab.md, amd-npt): kvm_amd's vCPU on QEMU's EPYC (Zen 1) has no UMIP,
    /// so u-sgdt-umip's MOV to CR4 faults before SGDT runs (a triple fault: no IDT yet). The
    /// prediction follows the vCPU's CPUID instead of assuming every CR4 feature.
    @Test func aVCPUWithoutUMIPFaultsOnTheCR4Write() throws {
        let program = try #require(X86TestCorpus.programs.first { $0.name == "u-sgdt-umip" })
        // CPUID.(7,0) and CPUID.1 as KVM_GET_SUPPORTED_CPUID gave them in the lab's EPYC machine.
        let epyc = [CPUIDLeaf(leaf: 1, eax: 0x00800f12, ebx: 0x01020800, ecx: 0x76f83203, edx: 0x078bfbfd),
                    CPUIDLeaf(leaf: 7, eax: 0, ebx: 0x009801a9, ecx: 0, edx: 0)]
        let reserved = DifferentialRunner.reservedCR4(cpuid: epyc)
        #expect(reserved & 0x800 != 0 && reserved & 0x100000 == 0)   // UMIP reserved, SMEP offered
        let kvm = GuestProgramOutcome(name: program.name, registers: [], rip: nil, rflags: nil, cr0: nil, cr4: nil,
                                      exits: [GuestExit(reason: "shutdown", code: 8)], resultMemory: nil, error: nil)
        #expect(DifferentialRunner.compare(program, kvm, backend: "kvm_amd", reservedCR4: reserved).agrees)
        // A vCPU with UMIP gets the #GP of SGDT at CPL3, reported before the triple fault.
        let withUMIP = DifferentialRunner.compare(program, kvm, backend: "kvm_amd", reservedCR4: 0)
        #expect(!withUMIP.agrees && withUMIP.mismatches.first?.contains("0xc4") == true)
    }
}
