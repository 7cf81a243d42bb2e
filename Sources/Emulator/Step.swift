/// What a check does when its condition holds, before the engine turns it into an observable
/// `Outcome` (resolving VMfail into VMfailValid or VMfailInvalid and writing the error field).
public enum Step: Codable, Sendable, Hashable {
    case fault(Fault)
    /// The fault the vector's memory operand causes (segment, canonical or page fault).
    case operandFault
    /// VMfail(n): VMfailValid(n) when there is a working VMCS, else VMfailInvalid (SDM 31.2).
    case vmFail(VMInstructionError)
    case vmFailInvalid
    case vmFailValid(VMInstructionError)
    /// A VM exit from non-root operation with this basic exit reason.
    case vmExit(VMXExitReason)
    /// A VM-entry failure during guest-state checking: exit reason 33 | 0x80000000 and this
    /// exit qualification (SDM 27.8).
    case entryFailure(qualification: UInt64)
    /// #VMEXIT with this code from an SVM guest (APM 15.6).
    case svmExit(SVMExitCode)
    /// VMRUN's consistency checks failed: #VMEXIT(VMEXIT_INVALID = -1) to the host (APM 15.5.1).
    case svmInvalid
    /// Behaviour the model does not implement (SMM monitor activation).
    case notModelled

    /// The outcome a mutation substitutes to prove some vector observes this step: an outcome
    /// of another kind (or another error number) that the SDM does not give here.
    public var mutated: Step {
        switch self {
        case .fault(.ud): .fault(.gp)
        case .fault: .fault(.ud)
        case .operandFault: .fault(.ud)
        case .vmFail(let n): .vmFail(n.other)
        case .vmFailInvalid: .fault(.gp)
        case .vmFailValid(let n): .vmFailValid(n.other)
        case .vmExit: .fault(.gp)
        case .entryFailure: .vmFailValid(.entryInvalidHostStateField)
        case .svmExit: .fault(.gp)
        case .svmInvalid: .fault(.gp)
        case .notModelled: .fault(.gp)
        }
    }
}
