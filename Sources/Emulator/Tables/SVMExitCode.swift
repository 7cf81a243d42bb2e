/// SVM #VMEXIT codes (AMD64 APM Vol.2 Appendix C, "SVM Intercept Exit Codes"; Linux
/// arch/x86/include/uapi/asm/svm.h `SVM_EXIT_*`) for the exits the model produces. Exception
/// and CR/DR access codes are ranges in the APM; only the named ones the model needs are cases.
public enum SVMExitCode: UInt64, Codable, Sendable, Hashable, CaseIterable {
    case intr = 0x60, nmi = 0x61, smi = 0x62, initSignal = 0x63, vintr = 0x64
    case cpuid = 0x72, hlt = 0x78, invlpga = 0x7A, ioio = 0x7B, msr = 0x7C, shutdown = 0x7F
    case vmrun = 0x80, vmmcall = 0x81, vmload = 0x82, vmsave = 0x83, stgi = 0x84, clgi = 0x85, skinit = 0x86
    case npf = 0x400
    /// VMEXIT_INVALID (-1): VMRUN's consistency checks failed (APM 15.5.1).
    case invalid = 0xFFFF_FFFF_FFFF_FFFF

    /// The spelling vector files and reports use: `0x80`, or `-1` for VMEXIT_INVALID.
    public var text: String { self == .invalid ? "-1" : "0x" + String(rawValue, radix: 16) }
}
