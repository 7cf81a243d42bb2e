import Emulator
import FoundationEssentials
import Glibc
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
        programs.flatMap { ["--program", "\($0.name):\($0.mode.rawValue):" + BinaryEvidence.hex($0.code)] }
    }

    /// CR4 bits and the CPUID feature that implements each (SDM Vol.3A 2.5 and Vol.2 CPUID): where
    /// the vCPU's CPUID lacks the feature, setting the bit faults, and the prediction must say so.
    static let cr4Features: [(bit: Int, leaf: UInt32, inECX: Bool, feature: Int)] = [
        (11, 7, true, 2),     // UMIP: CPUID.(7,0):ECX[2]
        (12, 7, true, 16),    // LA57: ECX[16]
        (16, 7, false, 0),    // FSGSBASE: EBX[0]
        (17, 1, true, 17),    // PCIDE: CPUID.1:ECX[17]
        (18, 1, true, 26),    // OSXSAVE: CPUID.1:ECX[26] (XSAVE)
        (20, 7, false, 7),    // SMEP: EBX[7]
        (21, 7, false, 20),   // SMAP: EBX[20]
        (22, 7, true, 3),     // PKE: ECX[3]
    ]

    /// The CR4 bits a vCPU with `cpuid` (KVM_GET_SUPPORTED_CPUID) does not implement.
    public static func reservedCR4(cpuid: [CPUIDLeaf]) -> UInt64 {
        cr4Features.reduce(0) { reserved, row in
            let leaf = cpuid.first { $0.leaf == row.leaf && $0.subleaf == 0 }
            let offered = leaf.map { (row.inECX ? $0.ecx : $0.ebx) >> UInt32(row.feature) & 1 == 1 } ?? false
            return offered ? reserved : reserved | 1 << UInt64(row.bit)
        }
    }

    /// `backend` (the KVM module in use) selects which `KnownDeviation`s can explain a disagreement;
    /// `reservedCR4` is what the vCPU lacks (`reservedCR4(cpuid:)`).
    public static func run(executable: String, backend: String?, reservedCR4: UInt64 = 0,
                           programs: [X86TestProgram] = X86TestCorpus.programs) -> Result<[DifferentialResult], DifferentialError> {
        let child = GuestRunSupervisor.childCommand(executable: executable, extraArguments: arguments(programs),
                                                    timeoutNanoseconds: 30_000_000_000)
        switch child.runPrograms() {
        case .failure(let error): return .failure(DifferentialError(description: error.description))
        case .success(let outcomes):
            let byName = Dictionary(outcomes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            return .success(programs.map { compare($0, byName[$0.name], backend: backend, reservedCR4: reservedCR4) })
        }
    }

    public static func compare(_ program: X86TestProgram, _ kvm: GuestProgramOutcome?, backend: String? = nil,
                               reservedCR4: UInt64 = 0) -> DifferentialResult {
        let predicted = program.predict(reservedCR4: reservedCR4)
        var found: [DifferentialMismatch] = []
        func differ(_ field: String, _ p: String, _ o: String) { found.append(DifferentialMismatch(field: field, predicted: p, observed: o)) }
        let exits = kvm?.exits.map(describe) ?? []
        if let unsupported = predicted.unsupported { differ("interpreter", "a prediction", unsupported) }
        if let kvm {
            if let error = kvm.error { differ("kvm-run", "a completed run", error) }
            let predictedExits = predicted.exits.map(describe)
            if predictedExits != exits { differ("exits", predictedExits.joined(separator: ", "), exits.joined(separator: ", ")) }
            let names = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
            let checkState = predicted.exits.last?.kind == .hlt
            if checkState, kvm.registers.count == 16 {
                for i in 0..<16 where !program.hostDefined.contains(i) && kvm.registers[i] != predicted.state.gpr[i] {
                    differ(names[i], hex(predicted.state.gpr[i]), hex(kvm.registers[i]))
                }
                if let rip = kvm.rip, rip != predicted.state.rip { differ("rip", hex(predicted.state.rip), hex(rip)) }
                let defined = comparedFlags & ~predicted.undefinedFlags
                if let flags = kvm.rflags, flags & defined != predicted.state.rflags & defined {
                    differ("rflags", hex(predicted.state.rflags & defined), hex(flags & defined))
                }
                let window = BinaryEvidence.hex(Array(predicted.state.memory[GuestMemoryLayout.resultWindow]))
                if let memory = kvm.resultMemory, memory != window {
                    differ("memory \(hex(UInt64(GuestMemoryLayout.resultPhysical)))", String(window.prefix(48)) + "...", String(memory.prefix(48)) + "...")
                }
            }
        } else {
            differ("outcome", "a KVM run", "no outcome for this program")
        }
        let judged = found.map { mismatch in
            var m = mismatch
            m.knownDeviation = KnownDeviation.explaining(program.name, mismatch, backend: backend)
                .map { "\($0.backend): \($0.explanation) (\($0.source))" }
            return m
        }
        let allExplained = !judged.isEmpty && judged.allSatisfy { $0.knownDeviation != nil }
        return DifferentialResult(program: program.name, mode: program.mode.rawValue, instruction: program.instruction,
                                  reference: program.reference, agrees: judged.isEmpty, exits: exits,
                                  mismatches: judged.map(\.description), deviations: judged,
                                  knownDeviation: allExplained ? judged.first?.knownDeviation : nil)
    }

    static func describe(_ exit: GuestExit) -> String {
        guard exit.kind == .io else { return exit.reason }
        return "io:\(exit.direction ?? "?") port \(hex(UInt64(exit.port ?? 0))) size \(exit.size ?? 0)" + (exit.value.map { " value \(hex($0))" } ?? "")
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}
