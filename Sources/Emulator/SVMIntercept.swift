/// The SVM instruction intercepts of the VMCB control area (APM Vol.2 Table B-1; Bochs svm.h
/// l.400-456): the bit number in the intercept vector and the #VMEXIT code each one produces.
public enum SVMIntercept: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case invlpga, vmrun, vmmcall, vmload, vmsave, stgi, clgi, skinit

    /// Bit in the intercept vector (word 0 bit 26; word 1 bits 32-38).
    public var bit: Int {
        switch self {
        case .invlpga: 26
        case .vmrun: 32
        case .vmmcall: 33
        case .vmload: 34
        case .vmsave: 35
        case .stgi: 36
        case .clgi: 37
        case .skinit: 38
        }
    }

    /// The #VMEXIT exit code (APM Vol.2 Appendix C; Linux uapi SVM_EXIT_*).
    public var exitCode: SVMExitCode {
        switch self {
        case .invlpga: .invlpga
        case .vmrun: .vmrun
        case .vmmcall: .vmmcall
        case .vmload: .vmload
        case .vmsave: .vmsave
        case .stgi: .stgi
        case .clgi: .clgi
        case .skinit: .skinit
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.bit < b.bit }
}
