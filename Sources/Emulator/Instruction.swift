/// The 21 hardware-virtualization instructions the model executes.
public enum Instruction: String, Codable, Sendable, Hashable, CaseIterable {
    case vmxon = "VMXON", vmxoff = "VMXOFF", vmclear = "VMCLEAR", vmptrld = "VMPTRLD", vmptrst = "VMPTRST"
    case vmread = "VMREAD", vmwrite = "VMWRITE", vmlaunch = "VMLAUNCH", vmresume = "VMRESUME", vmcall = "VMCALL"
    case invept = "INVEPT", invvpid = "INVVPID", vmfunc = "VMFUNC"
    case vmrun = "VMRUN", vmload = "VMLOAD", vmsave = "VMSAVE", vmmcall = "VMMCALL"
    case stgi = "STGI", clgi = "CLGI", skinit = "SKINIT", invlpga = "INVLPGA"

    /// AMD SVM (as opposed to Intel VMX).
    public var isSVM: Bool {
        switch self {
        case .vmrun, .vmload, .vmsave, .vmmcall, .stgi, .clgi, .skinit, .invlpga: true
        case .vmxon, .vmxoff, .vmclear, .vmptrld, .vmptrst, .vmread, .vmwrite, .vmlaunch, .vmresume, .vmcall,
             .invept, .invvpid, .vmfunc: false
        }
    }
}
