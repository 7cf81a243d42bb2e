/// Tests the vectors against the model itself: every single change to a check list — dropping a
/// check, swapping it with its successor, or giving it another outcome — must make at least one
/// vector of that instruction fail. A surviving mutant is a check whose order or outcome no
/// vector pins down. Swaps of two neighbours with the same step are not generated: the first
/// matching check decides, so exchanging two checks with identical outcomes changes nothing
/// observable (e.g. VMXON's #GP rows, the SDM says their order "is not observable").
/// A fourth kind, `drop-effect`, keeps the checks and the outcome of the operation but discards
/// every state change it makes (VM entry loading no guest, VMRUN saving no host, VMLOAD moving
/// nothing): a vector must observe each instruction's state transition, not only its outcome.
/// A fifth, `misread-operand`, misreads one part of the operand encoding (segment, base, index,
/// scale, displacement, address size, Reg1, Reg2) of the instructions whose VM exit reports it:
/// a vector must observe each part in the exit qualification or instruction information.
public enum MutationAnalysis {
    public enum Kind: String, Codable, Sendable, Hashable {
        case remove, swapWithNext = "swap-with-next", changeOutcome = "change-outcome", dropEffect = "drop-effect"
        case misreadOperand = "misread-operand"
    }

    /// The parts of an operand's encoding a VM exit reports (SDM 28.2.1, 28.2.5), each with the
    /// misreading a `misread-operand` mutant makes: another segment, base, index, scale,
    /// displacement, address size or register.
    static let misreadings: [(part: String, instructions: Set<Instruction>, misread: @Sendable (inout OperandEncoding) -> Void)] = [
        ("seg", VectorParser.encodedMemoryOperand, { $0.segment = $0.segment == .ds ? .es : .ds }),
        ("base", VectorParser.encodedMemoryOperand, { $0.base = $0.base.map(\.next) ?? .rax }),
        ("index", VectorParser.encodedMemoryOperand, { $0.index = $0.index.map(\.next) ?? .rax }),
        ("scale", VectorParser.encodedMemoryOperand, { $0.scale = $0.scale == 1 ? 2 : 1 }),
        ("disp", VectorParser.encodedMemoryOperand, { $0.displacement &+= 1 }),
        ("asize", VectorParser.encodedMemoryOperand, { $0.addressSize = $0.addressSize == 32 ? 16 : 32 }),
        ("reg1", [.vmread, .vmwrite], { $0.reg1 = $0.reg1.next }),
        ("reg2", VectorParser.encodedRegisters, { $0.reg2 = $0.reg2.next }),
    ]

    public struct Mutant: Sendable {
        public var instruction: Instruction
        public var kind: Kind
        /// The check mutated (for a swap, the first of the pair).
        public var check: String
        public var model: InstructionModel

        public var name: String { "\(kind.rawValue) \(check)" }
    }

    public struct Report: Codable, Sendable, Hashable {
        public var mutants: Int
        public var killed: Int
        /// Per kind: generated and killed.
        public var byKind: [String: [Int]]
        /// Swaps not generated because both checks have the same step.
        public var equalStepSwapsSkipped: Int
        /// Mutants no vector detects, as "kind check".
        public var survivors: [String]

        private enum CodingKeys: String, CodingKey {
            case mutants, killed, survivors, byKind = "by_kind", equalStepSwapsSkipped = "equal_step_swaps_skipped"
        }
    }

    /// Every mutant of one instruction's standard model.
    public static func mutants(of instruction: Instruction) -> [Mutant] {
        let model = InstructionModel.standard(instruction)
        var result: [Mutant] = []
        var inert = model
        let operation = model.operation
        inert.operation = { s, o in
            var scratch = s
            return operation(&scratch, o)
        }
        result.append(Mutant(instruction: instruction, kind: .dropEffect, check: "\(instruction.rawValue.lowercased()).operation", model: inert))
        for (part, instructions, misread) in misreadings where instructions.contains(instruction) {
            var misreading = model
            misreading.decode = { o in
                var wrong = o
                misread(&wrong.form)
                return wrong
            }
            result.append(Mutant(instruction: instruction, kind: .misreadOperand,
                                 check: "\(instruction.rawValue.lowercased()).\(part)", model: misreading))
        }
        for (i, check) in model.checks.enumerated() {
            var removed = model
            removed.checks.remove(at: i)
            result.append(Mutant(instruction: instruction, kind: .remove, check: check.name, model: removed))

            var changed = model
            changed.checks[i].step = check.step.mutated
            result.append(Mutant(instruction: instruction, kind: .changeOutcome, check: check.name, model: changed))

            if i + 1 < model.checks.count, model.checks[i + 1].step != check.step {
                var swapped = model
                swapped.checks.swapAt(i, i + 1)
                result.append(Mutant(instruction: instruction, kind: .swapWithNext,
                                     check: "\(check.name)<->\(model.checks[i + 1].name)", model: swapped))
            }
        }
        return result
    }

    /// Swaps skipped for having identical steps.
    static func equalStepSwaps(_ instruction: Instruction) -> Int {
        let checks = InstructionModel.standard(instruction).checks
        return zip(checks, checks.dropFirst()).filter { $0.step == $1.step }.count
    }

    /// Runs every mutant of every instruction against the vectors of that instruction.
    public static func run(_ vectors: [ConformanceVector], capabilities: VMXCapabilityMSRs = .reference) -> Report {
        var killed = 0
        var total = 0
        var survivors: [String] = []
        var byKind: [String: [Int]] = [:]
        for instruction in Instruction.allCases {
            let mine = vectors.filter { $0.instruction == instruction }
            for mutant in mutants(of: instruction) {
                var models = ConformanceRunner.standardModels
                models[instruction] = mutant.model
                let runner = ConformanceRunner(capabilities: capabilities, models: models)
                let detected = mine.contains { !runner.run($0).passed }
                total += 1
                byKind[mutant.kind.rawValue, default: [0, 0]][0] += 1
                if detected {
                    killed += 1
                    byKind[mutant.kind.rawValue, default: [0, 0]][1] += 1
                } else {
                    survivors.append(mutant.name)
                }
            }
        }
        return Report(mutants: total, killed: killed, byKind: byKind,
                      equalStepSwapsSkipped: Instruction.allCases.map(equalStepSwaps).reduce(0, +), survivors: survivors)
    }
}
