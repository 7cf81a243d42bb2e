import HostModel

/// Decodes VT-x capabilities from the IA32_VMX_* MSRs (SDM Vol.3 Appendix A) or, failing
/// that, from cpuinfo's `vmx flags`.
public enum VMXDecoder {
    public static func decode(cpuHasVMX: Bool, msrs: MSREvidence.CPU?, vmxFlags: [String]?) -> VMXFacts? {
        guard cpuHasVMX else { return nil }
        var facts = VMXFacts(source: .none)
        if let fc = msrs?.value(0x3A) {
            facts.featureControl = VMXFacts.FeatureControl(locked: fc & 1 != 0, vmxInsideSmx: fc & 2 != 0, vmxOutsideSmx: fc & 4 != 0)
        }
        if let flags = vmxFlags {
            facts.source = .cpuinfo
            let set = Set(flags)
            facts.ept = set.contains("ept")
            facts.vpid = set.contains("vpid")
            facts.unrestrictedGuest = set.contains("unrestricted_guest")
        }
        return facts
    }
}
