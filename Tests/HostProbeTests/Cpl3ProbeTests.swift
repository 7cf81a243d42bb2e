import CShims
import Foundation
import HostModel
import Testing
@testable import HostProbe

/// Reading the CPL3 probes (pure), and the probes themselves run as virtcheck runs them: first in
/// the guest-run child, whose fault handlers must never be installed in this process.
struct Cpl3ProbeTests {
    static func raw(_ values: [UInt64], signal: Int32 = 0) -> Cpl3Prober.Raw {
        Cpl3Prober.Raw(signal: signal, signalCode: signal == 0 ? 0 : 128, values: values + Array(repeating: 0, count: 3 - values.count))
    }

    /// Linux's UMIP dummies (arch/x86/kernel/umip.c) read as emulation; SMSW/STR/SLDT's dummies
    /// equal Linux's real values, so they count as emulated only once SGDT/SIDT show UMIP at work.
    @Test func umipDummiesAreRecognised() {
        let emulated = Cpl3Prober.interpret([
            "sgdt": Self.raw([0xFFFF_FFFF_FFFE_0000, 0]), "sidt": Self.raw([0xFFFF_FFFF_FFFF_0000, 0]),
            "smsw": Self.raw([0x8005_0033]), "str": Self.raw([0x40]), "sldt": Self.raw([0]),
        ])
        #expect(emulated.map(\.outcome) == [.emulated, .emulated, .emulated, .emulated, .emulated])
        let native = Cpl3Prober.interpret([
            "sgdt": Self.raw([0xFFFF_FE00_0000_1000, 0x7F]), "smsw": Self.raw([0x8005_0033]), "str": Self.raw([0x40]),
        ])
        #expect(native.map(\.probe) == ["sgdt", "str", "smsw"])
        #expect(native.allSatisfy { $0.outcome == .native })
        #expect(native[0].detail.contains("leaked"))
    }

    @Test func signalsAreTrapsAndPopfKeepingIFIsSilent() {
        let results = Cpl3Prober.interpret([
            "hlt": Self.raw([], signal: SIGSEGV), "vmcall": Self.raw([], signal: SIGILL),
            "popf": Self.raw([0x246, 0x246]), "mov-cs": Self.raw([0x33]),
        ])
        let byProbe = Dictionary(uniqueKeysWithValues: results.map { ($0.probe, $0) })
        #expect(byProbe["hlt"]?.outcome == .trapped)
        #expect(byProbe["hlt"]?.signal?.hasPrefix("SIGSEGV") == true)
        #expect(byProbe["vmcall"]?.detail.contains("#UD") == true)
        #expect(byProbe["popf"]?.outcome == .native)
        #expect(byProbe["popf"]?.detail.contains("silently ignored") == true)
        #expect(byProbe["mov-cs"]?.detail.contains("CPL 3") == true)
    }

    /// The child's raw answer is taken only whole: an errno alone, or a zero errno and a result
    /// for every probe. Anything cut short or padded (a child killed mid-write, or not virtcheck)
    /// is no evidence, which the supervisor then reports as what became of the child.
    @Test func packedObservationsAreTakenOnlyWhole() throws {
        let noErrno: [UInt8] = [0, 0, 0, 0]
        let record = [UInt8](repeating: 0, count: MemoryLayout<vc_cpl3_result>.stride)
        let whole = noErrno + Array(Array(repeating: record, count: Cpl3Prober.probes.count).joined())
        let evidence = try #require(Cpl3Prober.evidence(packed: whole))
        #expect(evidence.error == nil && evidence.results.count == Cpl3Prober.probes.count)
        #expect(Cpl3Prober.evidence(packed: []) == nil)
        #expect(Cpl3Prober.evidence(packed: [0, 0]) == nil)
        #expect(Cpl3Prober.evidence(packed: noErrno) == nil)
        #expect(Cpl3Prober.evidence(packed: Array(whole.dropLast())) == nil)
        #expect(Cpl3Prober.evidence(packed: whole + [0]) == nil)
        #expect(Cpl3Prober.evidence(packed: whole + record) == nil)
        let enosys = MemoryRecords.bytes(of: [ENOSYS])
        #expect(Cpl3Prober.evidence(packed: enosys)?.error?.hasPrefix("CPL3 probes unavailable") == true)
        #expect(Cpl3Prober.evidence(packed: enosys + record) == nil)
    }

    /// On this x86-64 Linux machine, through the child: the privileged instructions trap, POPF
    /// silently keeps IF, CS shows ring 3, and SGDT is emulated exactly when the CPU has UMIP.
    @Test(.enabled(if: TestHost.virtcheckBinary != nil, "needs the built virtcheck"))
    func probesRunInTheChildOnThisHost() throws {
        let evidence = GuestRunSupervisor.childCommand(executable: try #require(TestHost.virtcheckBinary)).runWithCpl3Probes().cpl3Probes
        #expect(evidence.error == nil, "\(evidence.error ?? "")")
        for probe in ["hlt", "rdmsr", "lgdt", "mov-cr0", "clts", "wbinvd", "in", "cli"] {
            #expect(evidence.result(probe)?.outcome == .trapped, "\(probe)")
        }
        #expect(evidence.result("popf")?.outcome == .native)
        #expect(evidence.result("popf")?.detail.contains("silently ignored") == true)
        #expect(evidence.result("mov-cs")?.values.first.map { UInt64($0.dropFirst(2), radix: 16)! & 3 } == 3)
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let umip = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").contains("umip") ?? false
        #expect(evidence.result("sgdt")?.outcome == (umip ? .emulated : .native))
    }

    /// The shared capture of this development guest (Fixtures/cpl3, README.md), reproduced by the
    /// probes: which instructions trapped (and with which signal) and the values it printed.
    static let captureHost: Bool = {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return FileManager.default.fileExists(atPath: "/sys/module/kvm_pvm") && cpuinfo.contains("AuthenticAMD")
    }()

    @Test(.enabled(if: captureHost && TestHost.virtcheckBinary != nil, "needs an AMD KVM guest with kvm_pvm, like the capture's, and the built virtcheck"))
    func probesReproduceTheSharedCapture() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/cpl3/amd-epyc-genoa-kvm-guest-pvm.txt")
        let capture = try String(contentsOf: url, encoding: .utf8)
        let names = ["SGDT": "sgdt", "SIDT": "sidt", "SLDT": "sldt", "SMSW": "smsw", "STR": "str", "POPF": "popf",
                     "MOVCS": "mov-cs", "CPUID": "cpuid", "HLT": "hlt", "RDMSR": "rdmsr", "VMCALL": "vmcall", "VMMCALL": "vmmcall"]
        var seen: [String: Int32] = [:]
        for line in capture.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard let first = words.first, let probe = names[String(first)] else { continue }
            seen[probe] = line.hasSuffix("no trap") ? 0 : Int32(words.last.map(String.init) ?? "") ?? -1
        }
        #expect(seen.count == names.count)
        let evidence = GuestRunSupervisor.childCommand(executable: try #require(TestHost.virtcheckBinary)).runWithCpl3Probes().cpl3Probes
        for (probe, signal) in seen {
            let result = try #require(evidence.result(probe), "\(probe)")
            if signal == 0 {
                #expect(result.outcome != .trapped, "\(probe) did not trap in the capture")
            } else {
                #expect(result.outcome == .trapped && result.signal?.hasPrefix(signal == SIGSEGV ? "SIGSEGV" : "?") == true, "\(probe)")
            }
        }
        // The values the capture printed: GDT/IDT dummies, msw=33, IF after popf = 1, cs=33, KVMKVMKVM.
        #expect(capture.contains("gdt base=fffffffffffe0000 lim=0") && evidence.result("sgdt")?.values == ["0xfffffffffffe0000", "0x0"])
        #expect(capture.contains("idt base=ffffffffffff0000 lim=0") && evidence.result("sidt")?.values == ["0xffffffffffff0000", "0x0"])
        #expect(capture.contains("msw=33") && evidence.result("smsw")?.values.first?.hasSuffix("33") == true)
        #expect(capture.contains("IF after popf clear = 1") && evidence.result("popf")?.detail.contains("left IF=1") == true)
        #expect(capture.contains("cs=33") && evidence.result("mov-cs")?.values == ["0x33"])
        #expect(capture.contains("hv sig KVMKVMKVM") && evidence.result("cpuid")?.detail.contains("KVMKVMKVM") == true)
    }
}
