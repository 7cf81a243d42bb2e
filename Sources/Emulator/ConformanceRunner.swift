/// Runs vectors against the model and judges the result twice: against the vector's expected
/// outcome and `then` state, and against the SDM's status conventions (SDM 31.2: which RFLAGS
/// bits each outcome sets, that a fault changes nothing, that VMfailValid writes the error
/// field) — so a model that gets the outcome right but the flags or side effects wrong fails.
public struct ConformanceRunner: Sendable {
    public var capabilities: VMXCapabilityMSRs
    /// The instruction models to run (the standard ones, or mutants of them).
    public var models: [Instruction: InstructionModel]

    public init(capabilities: VMXCapabilityMSRs = .reference,
                models: [Instruction: InstructionModel] = ConformanceRunner.standardModels) {
        self.capabilities = capabilities
        self.models = models
    }

    public static let standardModels: [Instruction: InstructionModel] = Dictionary(
        uniqueKeysWithValues: Instruction.allCases.map { ($0, InstructionModel.standard($0)) })

    public func run(_ vector: ConformanceVector) -> VectorResult {
        let before: MachineState
        do {
            before = try vector.initialState(capabilities)
        } catch {
            return VectorResult(name: vector.name, file: vector.file, line: vector.line, instruction: vector.instruction,
                                citation: vector.citation, expected: vector.expected.description, actual: "not run",
                                mismatches: ["given: \(error.message)"])
        }
        var after = before
        let model = models[vector.instruction] ?? InstructionModel.standard(vector.instruction)
        let outcome = model.execute(&after, vector.operands)
        var mismatches: [String] = []
        if outcome != vector.expected {
            mismatches.append("outcome \(outcome), expected \(vector.expected)")
        }
        mismatches += Self.conventionViolations(outcome, before: before, after: after, instruction: vector.instruction)
        for setting in vector.then where !setting.holds(in: after) {
            mismatches.append("\(setting.text) does not hold (is \(setting.actual(in: after)))")
        }
        return VectorResult(name: vector.name, file: vector.file, line: vector.line, instruction: vector.instruction,
                            citation: vector.citation, expected: vector.expected.description, actual: outcome.description,
                            mismatches: mismatches)
    }

    public func run(_ vectors: [ConformanceVector]) -> [VectorResult] { vectors.map(run) }

    static let statusFlags: UInt64 = 0x8D5

    /// The state effects every outcome of a kind must have (independent of the model's code).
    static func conventionViolations(_ outcome: Outcome, before: MachineState, after: MachineState,
                                     instruction: Instruction) -> [String] {
        var problems: [String] = []
        func expectFlags(_ value: UInt64, _ what: String) {
            if after.rflags != value {
                problems.append("\(what): RFLAGS 0x\(String(after.rflags, radix: 16)), expected 0x\(String(value, radix: 16))")
            }
        }
        switch outcome {
        case .fault:
            if after != before { problems.append("a fault changed machine state") }
        case .vmSucceed:
            expectFlags(before.rflags & ~statusFlags, "VMsucceed")
        case .vmFailInvalid:
            expectFlags(before.rflags & ~statusFlags | 0x1, "VMfailInvalid")
            if after.vmcs != before.vmcs { problems.append("VMfailInvalid wrote a VMCS") }
        case .vmFailValid(let n):
            expectFlags(before.rflags & ~statusFlags | 0x40, "VMfailValid")
            let error = after.vmcs[after.workingVMCS]?[VMCSFieldEncoding.instructionError]
            if error != UInt64(n.rawValue) { problems.append("VM-instruction error field is \(error.map(String.init) ?? "absent"), expected \(n)") }
            if after.mode != before.mode || after.currentVMCS != before.currentVMCS {
                problems.append("VMfailValid changed the mode or the current-VMCS pointer")
            }
        case .vmExit(let reason):
            if after.mode != .root { problems.append("VM exit did not return to VMX root operation") }
            if after.currentField(VMCSFieldEncoding.exitReason) != UInt64(reason.rawValue) {
                problems.append("exit-reason field is \(after.currentField(VMCSFieldEncoding.exitReason)), expected \(reason.rawValue)")
            }
            if after.currentField(VMCSFieldEncoding.guestRIP) != before.rip {
                problems.append("VM exit did not save the guest RIP")
            }
            if after.rip != after.currentField(VMCSFieldEncoding.hostRIP) || after.cpl != 0 {
                problems.append("VM exit did not continue at host RIP with CPL 0 (SDM 28.5.3)")
            }
            expectFlags(0x2, "VM exit")
        case .vmxAbort(let indicator):
            if !after.shutdown || after.vmcs[after.currentVMCS]?.abortIndicator != indicator.rawValue {
                problems.append("VMX abort did not write indicator \(indicator.rawValue) and shut the processor down")
            }
        case .entryFailure(let reason, let qualification):
            if after.mode != .root { problems.append("failed VM entry left VMX root operation") }
            if after.currentField(VMCSFieldEncoding.exitReason) != UInt64(reason)
                || after.currentField(VMCSFieldEncoding.exitQualification) != qualification {
                problems.append("exit reason/qualification fields not written")
            }
            if after.vmcs[after.currentVMCS]?.launched != before.vmcs[before.currentVMCS]?.launched {
                problems.append("failed VM entry changed the launch state")
            }
        case .entered:
            if instruction.isSVM {
                if !after.svmGuest || !after.gif { problems.append("VMRUN did not enter the guest with GIF = 1") }
            } else if after.mode != .nonRoot || after.vmcs[after.currentVMCS]?.launched != true {
                problems.append("VM entry did not reach non-root operation with a launched VMCS")
            }
        case .svmExit(let code):
            if code != .invalid && after.svmGuest { problems.append("#VMEXIT did not leave the guest") }
            if code != .invalid, let address = before.guestVMCB {
                if after.vmcbs[address]?.exitCode != code.rawValue { problems.append("#VMEXIT did not write EXITCODE") }
                if after.vmcbs[address]?.rip != before.rip { problems.append("#VMEXIT did not save the guest RIP") }
                if after.rip != before.vmcbs[before.hsavePA]?.rip { problems.append("#VMEXIT did not resume the host at the saved RIP") }
            }
            if after.gif { problems.append("#VMEXIT left GIF set") }
        case .completed, .notModelled:
            break
        }
        return problems
    }
}
