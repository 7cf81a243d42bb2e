/// An exception an instruction raises instead of completing. Faults change no architectural
/// state: RFLAGS, the VMCS and the mode are left as they were (SDM 31.2).
public enum Fault: String, Codable, Sendable, Hashable {
    case ud = "#UD"
    case gp = "#GP(0)"
    case ss = "#SS(0)"
    case pf = "#PF"
}
