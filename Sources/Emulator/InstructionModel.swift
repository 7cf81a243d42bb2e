/// One instruction as the model executes it: the ordered check list and the operation that runs
/// when no check fires. Keeping the checks as data-shaped code (an array of named closures) is
/// what lets the mutation check reorder, drop or alter any single one.
public struct InstructionModel: Sendable {
    public var instruction: Instruction
    public var checks: [Check]
    /// The effect of a successful execution and its outcome.
    public var operation: @Sendable (inout MachineState, Operands) -> Outcome

    public init(_ instruction: Instruction, checks: [Check],
                operation: @escaping @Sendable (inout MachineState, Operands) -> Outcome) {
        self.instruction = instruction
        self.checks = checks
        self.operation = operation
    }

    /// The model of `instruction` as the SDM/APM specify it.
    public static func standard(_ instruction: Instruction) -> InstructionModel {
        instruction.isSVM ? SVMInstructions.model(instruction) : VMXInstructions.model(instruction)
    }

    /// Executes the instruction on `state`: the first check whose condition holds decides,
    /// else the operation runs.
    public func execute(_ state: inout MachineState, _ operands: Operands) -> Outcome {
        for check in checks where check.condition(state, operands) {
            return Self.apply(check.step, to: &state, operands)
        }
        return operation(&state, operands)
    }

    /// The architectural effect of a check's step (SDM 31.2 conventions; SDM 28 for VM exits;
    /// APM 15.6 for #VMEXIT).
    static func apply(_ step: Step, to state: inout MachineState, _ operands: Operands) -> Outcome {
        switch step {
        case .fault(let fault):
            return .fault(fault)
        case .operandFault:
            return .fault(operands.memoryFault ?? .gp)
        case .vmFail(let n):
            let working = state.workingVMCS
            return working != MachineState.invalidPointer && state.vmcs[working] != nil
                ? vmFailValid(n, &state) : vmFailInvalid(&state)
        case .vmFailInvalid:
            return vmFailInvalid(&state)
        case .vmFailValid(let n):
            return vmFailValid(n, &state)
        case .vmExit(let reason):
            let current = state.currentVMCS
            state.vmcs[current]?[VMCSFieldEncoding.exitReason] = UInt64(reason)
            state.vmcs[current]?[VMCSFieldEncoding.exitQualification] = 0
            loadHostState(&state)
            return .vmExit(reason)
        case .entryFailure(let qualification):
            let reason: UInt32 = 0x8000_0000 | 33
            let current = state.currentVMCS
            state.vmcs[current]?[VMCSFieldEncoding.exitReason] = UInt64(reason)
            state.vmcs[current]?[VMCSFieldEncoding.exitQualification] = qualification
            loadHostState(&state)
            return .entryFailure(reason: reason, qualification: qualification)
        case .svmExit(let code):
            if let vmcb = state.guestVMCB { state.vmcbs[vmcb]?.exitCode = code }
            state.svmGuest = false
            state.guestVMCB = nil
            state.gif = false
            state.cpl = 0
            return .svmExit(code)
        case .svmInvalid:
            state.vmcbs[operands.rax]?.exitCode = UInt64.max
            state.gif = false
            return .svmExit(UInt64.max)
        case .notModelled:
            return .notModelled
        }
    }

    /// The six arithmetic flags VMX instructions report status in: CF, PF, AF, ZF, SF, OF.
    static let statusFlags: UInt64 = 0x8D5

    static func vmSucceed(_ state: inout MachineState) -> Outcome {
        state.rflags &= ~statusFlags
        return .vmSucceed
    }

    static func vmFailInvalid(_ state: inout MachineState) -> Outcome {
        state.rflags = state.rflags & ~statusFlags | 0x1
        return .vmFailInvalid
    }

    static func vmFailValid(_ n: Int, _ state: inout MachineState) -> Outcome {
        state.rflags = state.rflags & ~statusFlags | 0x40
        let working = state.workingVMCS
        state.vmcs[working]?[VMCSFieldEncoding.instructionError] = UInt64(n)
        return .vmFailValid(n)
    }

    /// A VM exit or failed VM entry returns to the host: VMX root, CPL 0, RFLAGS cleared but
    /// for bit 1 (SDM 28.5.3, "Loading Host RIP, RSP, RFLAGS, and SSP").
    static func loadHostState(_ state: inout MachineState) {
        state.mode = .root
        state.cpl = 0
        state.rflags = 0x2
    }
}
