import HostModel

/// Processor features outside VT-x/AMD-V that hypervisors refuse to start without: NX
/// (kvm_amd svm_hardware_setup() always; kvm_intel vmx_hardware_setup() when EPT is off;
/// Hyper-V's "hardware-enforced DEP") and 64-bit long mode (Hyper-V, VMware, VirtualBox and
/// Xen run only on x86-64 hosts; bhyve exists only in sys/amd64). Read from CPUID
/// 80000001h:EDX, or from cpuinfo flags when no CPUID was given.
enum ProcessorFeatureRules {
    static func findings(_ c: RuleContext) -> [Finding] {
        [nx(c), longMode(c)]
    }

    /// The bit from CPUID when read, else from the kernel's flags (same names); nil when neither.
    static func bit(_ c: RuleContext, _ name: String) -> Bool? {
        c.cpuidRead ? c.facts.features[name] : c.facts.kernelFlags.map { $0.contains(name) }
    }

    static func nx(_ c: RuleContext) -> Finding {
        let id = "cpu.nx"
        let ev = [c.cpuidEvidence("CPUID.80000001H:EDX[20]", "nx")]
        guard let has = bit(c, "nx") else {
            return c.finding(id, .unknown, "No CPUID or cpuinfo evidence was available.", evidence: ev, remedy: "no-evidence")
        }
        if has { return c.finding(id, .pass, "The CPU reports NX (Execute Disable).", evidence: ev) }
        if c.isIntelLike {
            return c.finding(id, .fail, "The CPU reports no Execute Disable (XD/NX): firmware turned it off (IA32_MISC_ENABLE[34]), or the CPU predates it.",
                             evidence: ev, remedy: "intel-disabled")
        }
        return c.finding(id, .fail, "The CPU reports no NX (no-execute) bit.", evidence: ev, remedy: "missing")
    }

    static func longMode(_ c: RuleContext) -> Finding {
        let id = "cpu.long-mode"
        let ev = [c.cpuidEvidence("CPUID.80000001H:EDX[29]", "lm")]
        guard let has = bit(c, "lm") else {
            return c.finding(id, .unknown, "No CPUID or cpuinfo evidence was available.", evidence: ev, remedy: "no-evidence")
        }
        return has
            ? c.finding(id, .pass, "The CPU supports 64-bit long mode (x86-64).", evidence: ev)
            : c.finding(id, .fail, "The CPU has no 64-bit long mode: a 32-bit-only processor.", evidence: ev, remedy: "missing")
    }
}
