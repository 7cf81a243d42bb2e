import Emulator
import Foundation
import HostModel
import HostProbe

/// Runs the corpus of `X86TestCorpus` through the interpreter and through a real KVM vCPU (in the
/// `__guest-run` child) and compares registers, RFLAGS' status and control flags, RIP, the
/// result window at 0x9000 and the exits. Disagreements are reported, never hidden.
public enum DifferentialRunner {
    /// RFLAGS bits compared: CF PF AF ZF SF OF, IF, DF and the reserved bit 1.
    static let comparedFlags: UInt64 = 0x8D5 | 0x200 | 0x400 | 0x2

    /// The child's arguments: `--program NAME:MODE:HEX` per program.
    public static func arguments(_ programs: [X86TestProgram]) -> [String] {
        programs.flatMap { ["--program", "\($0.name):\($0.mode.rawValue):" + $0.code.map { String(format: "%02x", $0) }.joined()] }
    }

    /// `backend` (the KVM module in use) selects which `KnownDeviation`s can explain a disagreement.
    public static func run(executable: String, backend: String?,
                           programs: [X86TestProgram] = X86TestCorpus.programs) -> Result<[DifferentialResult], DifferentialError> {
        let child = GuestRunSupervisor.childCommand(executable: executable, extraArguments: arguments(programs),
                                                    timeoutNanoseconds: 30_000_000_000)
        switch child.runPrograms() {
        case .failure(let error): return .failure(DifferentialError(description: error.description))
        case .success(let outcomes):
            let byName = Dictionary(outcomes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            return .success(programs.map { compare($0, byName[$0.name], backend: backend) })
        }
    }

    public static func compare(_ program: X86TestProgram, _ kvm: GuestProgramOutcome?, backend: String? = nil) -> DifferentialResult {
        let predicted = program.predict()
        var mismatches: [String] = []
        let exits = kvm?.exits.map(describe) ?? []
        if let unsupported = predicted.unsupported { mismatches.append("interpreter: \(unsupported)") }
        if let kvm {
            if let error = kvm.error { mismatches.append("KVM run: \(error)") }
            let predictedExits = predicted.exits.map(describe)
            if predictedExits != exits { mismatches.append("exits: predicted \(predictedExits), KVM \(exits)") }
            let names = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
            let checkState = predicted.exits.last?.kind == .hlt
            if checkState, kvm.registers.count == 16 {
                for i in 0..<16 where !program.hostDefined.contains(i) && kvm.registers[i] != predicted.state.gpr[i] {
                    mismatches.append("\(names[i]): predicted \(hex(predicted.state.gpr[i])), KVM \(hex(kvm.registers[i]))")
                }
                if let rip = kvm.rip, rip != predicted.state.rip { mismatches.append("rip: predicted \(hex(predicted.state.rip)), KVM \(hex(rip))") }
                let defined = comparedFlags & ~predicted.undefinedFlags
                if let flags = kvm.rflags, flags & defined != predicted.state.rflags & defined {
                    mismatches.append("rflags: predicted \(hex(predicted.state.rflags & defined)), KVM \(hex(flags & defined)) (bits compared \(hex(defined)))")
                }
                let window = predicted.state.memory[GuestMemoryLayout.resultWindow].map { String(format: "%02x", $0) }.joined()
                if let memory = kvm.resultMemory, memory != window { mismatches.append("memory \(hex(UInt64(GuestMemoryLayout.resultPhysical))): predicted \(window.prefix(48))..., KVM \(memory.prefix(48))...") }
            }
        } else {
            mismatches.append("KVM: no outcome for this program")
        }
        return DifferentialResult(program: program.name, mode: program.mode.rawValue, instruction: program.instruction,
                                  reference: program.reference, agrees: mismatches.isEmpty, exits: exits,
                                  mismatches: mismatches,
                                  knownDeviation: mismatches.isEmpty ? nil : KnownDeviation.explaining(program.name, backend: backend)
                                      .map { "\($0.backend): \($0.explanation) (\($0.source))" })
    }

    static func describe(_ exit: GuestExit) -> String {
        guard exit.kind == .io else { return exit.reason }
        return "io:\(exit.direction ?? "?") port \(hex(UInt64(exit.port ?? 0))) size \(exit.size ?? 0)" + (exit.value.map { " value \(hex($0))" } ?? "")
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}
