/// One instruction as the model executes it: the ordered check list and the operation that runs
/// when no check fires. Keeping the checks as data-shaped code (an array of named closures) is
/// what lets the mutation check reorder, drop or alter any single one.
public struct InstructionModel: Sendable {
    public var instruction: Instruction
    public var checks: [Check]
    /// The effect of a successful execution and its outcome.
    public var operation: @Sendable (inout MachineState, Operands) -> Outcome
    /// How the model reads the operands before executing: as given. The mutation check replaces
    /// it with one that misreads a part of the encoding (`MutationAnalysis.Kind.misreadOperand`),
    /// so that each part a VM exit reports must be observed by some vector.
    public var decode: @Sendable (Operands) -> Operands = { $0 }

    public init(_ instruction: Instruction, checks: [Check],
                operation: @escaping @Sendable (inout MachineState, Operands) -> Outcome) {
        self.instruction = instruction
        self.checks = checks
        self.operation = operation
    }

    /// The model of `instruction` as the SDM/APM specify it. Exhaustive: a new instruction has
    /// no model until it is given one here.
    public static func standard(_ instruction: Instruction) -> InstructionModel {
        switch instruction {
        case .vmxon: VMXInstructions.vmxon
        case .vmxoff: VMXInstructions.vmxoff
        case .vmclear: VMXInstructions.vmclear
        case .vmptrld: VMXInstructions.vmptrld
        case .vmptrst: VMXInstructions.vmptrst
        case .vmread: VMXInstructions.vmread
        case .vmwrite: VMXInstructions.vmwrite
        case .vmlaunch: VMXInstructions.vmentry(launch: true)
        case .vmresume: VMXInstructions.vmentry(launch: false)
        case .vmcall: VMXInstructions.vmcall
        case .invept: VMXInstructions.invept
        case .invvpid: VMXInstructions.invvpid
        case .vmfunc: VMXInstructions.vmfunc
        case .vmrun: SVMInstructions.vmrun
        case .vmload: SVMInstructions.vmload
        case .vmsave: SVMInstructions.vmsave
        case .vmmcall: SVMInstructions.vmmcall
        case .stgi: SVMInstructions.stgi
        case .clgi: SVMInstructions.clgi
        case .skinit: SVMInstructions.skinit
        case .invlpga: SVMInstructions.invlpga
        }
    }

    /// Executes the instruction on `state`: the first check whose condition holds decides,
    /// else the operation runs.
    public func execute(_ state: inout MachineState, _ given: Operands) -> Outcome {
        let operands = decode(given)
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
            return VMXTransitions.exit(&state, reason: reason, operands: operands)
        case .entryFailure(let qualification):
            return VMXTransitions.entryFailure(&state, reason: .invalidGuestState, qualification: qualification)
        case .svmExit(let code):
            return SVMInstructions.exitToHost(&state, code: code)
        case .svmInvalid:
            state.vmcbs[operands.rax]?.exitCode = SVMExitCode.invalid.rawValue
            state.gif = false
            return .svmExit(.invalid)
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

    static func vmFailValid(_ n: VMInstructionError, _ state: inout MachineState) -> Outcome {
        state.rflags = state.rflags & ~statusFlags | 0x40
        let working = state.workingVMCS
        state.vmcs[working]?[VMCSFieldEncoding.instructionError] = UInt64(n.rawValue)
        return .vmFailValid(n)
    }

}
