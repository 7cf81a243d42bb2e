import HostModel

/// Reads VT-x capabilities from the `vmx flags` line of /proc/cpuinfo, the fallback when the
/// capability MSRs cannot be read (not root, no msr driver).
///
/// Linux (arch/x86/kernel/cpu/feat_ctl.c) fills the line from the same MSRs, and prints only the
/// features whose comment in arch/x86/include/asm/vmxfeatures.h starts with a quoted name. So:
/// - a name Linux has printed since the line appeared (Linux 5.7) is evidence both ways: its
///   absence means the CPU lacks the feature;
/// - a name added later (`ept_5level`) only proves presence, since an older kernel omits it;
/// - a feature Linux never prints ("enable VM functions", "activate tertiary controls") is known
///   only through a printed feature that needs it (`eptp_switching` is VM function 0;
///   `ipi_virt` is a tertiary control), otherwise it stays nil.
enum VMXFlagDecoder {
    static func decode(_ flags: [String]) -> VMXFacts {
        let present = Set(flags)
        var facts = VMXFacts(source: .cpuinfo)
        facts.ept = present.contains("ept")
        facts.vpid = present.contains("vpid")
        facts.unrestrictedGuest = present.contains("unrestricted_guest")
        facts.vmcsShadowing = present.contains("shadow_vmcs")
        facts.postedInterrupts = present.contains("posted_intr")
        facts.apicRegisterVirtualization = present.contains("vapic_reg")
        facts.virtualInterruptDelivery = present.contains("vid")
        facts.pml = present.contains("pml")
        facts.eptAccessedDirty = present.contains("ept_ad")
        facts.mbec = present.contains("ept_mode_based_exec")
        facts.tscScaling = present.contains("tsc_scaling")
        facts.preemptionTimer = present.contains("preemption_timer")
        // Without EPT there is no 5-level EPT, whatever the kernel's age.
        facts.ept5level = present.contains("ept_5level") ? true : (facts.ept == false ? false : nil)
        facts.vmfunc = present.contains("eptp_switching") ? true : nil
        facts.tertiaryControls = present.contains("ipi_virt") ? true : nil
        return facts
    }
}
