/// The observable result of executing one instruction, in the SDM's and APM's terms.
public enum Outcome: Codable, Sendable, Hashable, CustomStringConvertible {
    case vmSucceed
    case vmFailInvalid
    case vmFailValid(VMInstructionError)
    case fault(Fault)
    /// VM exit from non-root operation, basic exit reason.
    case vmExit(VMXExitReason)
    /// VM entry failed after its checks of controls and host state: exit reason (33 invalid guest
    /// state, 34 MSR loading; the field holds it with bit 31) and qualification.
    case entryFailure(reason: UInt32, qualification: UInt64)
    /// VMLAUNCH/VMRESUME/VMRUN entered the guest.
    case entered
    /// #VMEXIT with this exit code (VMEXIT_INVALID = -1 when VMRUN's checks failed).
    case svmExit(SVMExitCode)
    /// A VM exit could not complete: VMX abort with this indicator, the processor shut down.
    case vmxAbort(VMXAbortIndicator)
    /// The instruction completed without a VMX status (SVM instructions, VMFUNC).
    case completed
    case notModelled

    /// The spelling vector files use (see Data/spec/README.md).
    public var description: String {
        switch self {
        case .vmSucceed: "VMsucceed"
        case .vmFailInvalid: "VMfailInvalid"
        case .vmFailValid(let n): "VMfailValid(\(n.rawValue))"
        case .fault(let f): f.rawValue
        case .vmExit(let r): "exit(\(r.rawValue))"
        case .entryFailure(let r, let q): "entry-failure(\(r & ~VMXExitReason.entryFailureBit),\(q))"
        case .entered: "entered"
        case .svmExit(let c): "#VMEXIT(\(c.text))"
        case .vmxAbort(let i): "vmx-abort(\(i.rawValue))"
        case .completed: "done"
        case .notModelled: "not-modelled"
        }
    }

    /// Parses the spelling of `description`; nil when it is not one (an unknown error number,
    /// exit reason or exit code included).
    public init?(parsing text: String) {
        switch text {
        case "VMsucceed": self = .vmSucceed
        case "VMfailInvalid": self = .vmFailInvalid
        case "#UD", "#GP(0)", "#SS(0)", "#PF": self = .fault(Fault(rawValue: text)!)
        case "entered": self = .entered
        case "done": self = .completed
        case "not-modelled": self = .notModelled
        case "#VMEXIT(-1)": self = .svmExit(.invalid)
        default:
            func argument(_ prefix: String) -> String? {
                guard text.hasPrefix(prefix + "("), text.hasSuffix(")") else { return nil }
                return String(text.dropFirst(prefix.count + 1).dropLast())
            }
            if let n = argument("VMfailValid").flatMap({ Int($0) }).flatMap(VMInstructionError.init(rawValue:)) {
                self = .vmFailValid(n)
            } else if let r = argument("exit").flatMap({ UInt32($0) }).flatMap(VMXExitReason.init(rawValue:)) {
                self = .vmExit(r)
            } else if let c = argument("#VMEXIT").flatMap({ parseInteger($0) }).flatMap(SVMExitCode.init(rawValue:)) {
                self = .svmExit(c)
            } else if let i = argument("vmx-abort").flatMap({ UInt32($0) }).flatMap(VMXAbortIndicator.init(rawValue:)) {
                self = .vmxAbort(i)
            } else if let args = argument("entry-failure")?.split(ascii: ","), args.count == 2,
                      let r = UInt32(args[0]).flatMap(VMXExitReason.init(rawValue:)),
                      [.invalidGuestState, .msrLoadFailure, .machineCheckDuringEntry].contains(r),
                      let q = parseInteger(args[1]) {
                self = .entryFailure(reason: r.entryFailure, qualification: q)
            } else {
                return nil
            }
        }
    }
}

/// Decimal or 0x-prefixed hexadecimal, with optional `_` separators; nil when it does not fit
/// in 64 bits.
func parseInteger(_ text: some StringProtocol) -> UInt64? {
    let clean = String(text.filter { $0 != "_" })
    if clean.hasPrefix("0x") || clean.hasPrefix("0X") { return UInt64(clean.dropFirst(2), radix: 16) }
    return UInt64(clean)
}
