/// The observable result of executing one instruction, in the SDM's and APM's terms.
public enum Outcome: Codable, Sendable, Hashable, CustomStringConvertible {
    case vmSucceed
    case vmFailInvalid
    case vmFailValid(Int)
    case fault(Fault)
    /// VM exit from non-root operation, basic exit reason.
    case vmExit(UInt32)
    /// VM entry failed while loading guest state: exit reason (with bit 31) and qualification.
    case entryFailure(reason: UInt32, qualification: UInt64)
    /// VMLAUNCH/VMRESUME/VMRUN entered the guest.
    case entered
    /// #VMEXIT with this exit code (0xFFFF_FFFF_FFFF_FFFF = VMEXIT_INVALID).
    case svmExit(UInt64)
    /// The instruction completed without a VMX status (SVM instructions, VMFUNC).
    case completed
    case notModelled

    /// The spelling vector files use (see Data/spec/README.md).
    public var description: String {
        switch self {
        case .vmSucceed: "VMsucceed"
        case .vmFailInvalid: "VMfailInvalid"
        case .vmFailValid(let n): "VMfailValid(\(n))"
        case .fault(let f): f.rawValue
        case .vmExit(let r): "exit(\(r))"
        case .entryFailure(let r, let q): "entry-failure(\(r & 0xFFFF),\(q))"
        case .entered: "entered"
        case .svmExit(let c): c == UInt64.max ? "#VMEXIT(-1)" : "#VMEXIT(0x\(String(c, radix: 16)))"
        case .completed: "done"
        case .notModelled: "not-modelled"
        }
    }

    /// Parses the spelling of `description`; nil when it is not one.
    public init?(parsing text: String) {
        switch text {
        case "VMsucceed": self = .vmSucceed
        case "VMfailInvalid": self = .vmFailInvalid
        case "#UD", "#GP(0)", "#SS(0)", "#PF": self = .fault(Fault(rawValue: text)!)
        case "entered": self = .entered
        case "done": self = .completed
        case "not-modelled": self = .notModelled
        case "#VMEXIT(-1)": self = .svmExit(UInt64.max)
        default:
            func argument(_ prefix: String) -> String? {
                guard text.hasPrefix(prefix + "("), text.hasSuffix(")") else { return nil }
                return String(text.dropFirst(prefix.count + 1).dropLast())
            }
            if let n = argument("VMfailValid").flatMap({ Int($0) }) {
                self = .vmFailValid(n)
            } else if let r = argument("exit").flatMap({ UInt32($0) }) {
                self = .vmExit(r)
            } else if let c = argument("#VMEXIT").flatMap({ parseInteger($0) }) {
                self = .svmExit(c)
            } else if let args = argument("entry-failure")?.split(separator: ","), args.count == 2,
                      let r = UInt32(args[0]), let q = UInt64(args[1]) {
                self = .entryFailure(reason: r | 0x8000_0000, qualification: q)
            } else {
                return nil
            }
        }
    }
}

/// Decimal or 0x-prefixed hexadecimal, with optional `_` separators.
func parseInteger(_ text: some StringProtocol) -> UInt64? {
    let clean = String(text.filter { $0 != "_" })
    if clean.hasPrefix("0x") || clean.hasPrefix("0X") { return UInt64(clean.dropFirst(2), radix: 16) }
    return UInt64(clean)
}
