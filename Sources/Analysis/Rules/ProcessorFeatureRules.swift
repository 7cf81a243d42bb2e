import HostModel

/// Processor features outside VT-x/AMD-V that hypervisors refuse to start without: NX
/// (kvm_amd svm_hardware_setup() always; kvm_intel vmx_hardware_setup() when EPT is off;
/// Hyper-V's "hardware-enforced DEP") and 64-bit long mode (Hyper-V, VMware, VirtualBox and
/// Xen run only on x86-64 hosts; bhyve exists only in sys/amd64). Read from CPUID
/// 80000001h:EDX, or from cpuinfo flags when no CPUID was given.
enum ProcessorFeatureRules {
    static func findings(_ c: RuleContext) -> [Finding] {
        [nx(c), longMode(c), cores(c)]
    }

    /// The bit from CPUID when read, else from the kernel's flags (same names); nil when neither.
    static func bit(_ c: RuleContext, _ name: String) -> Bool? {
        c.cpuidRead ? c.facts.features[name] : c.facts.kernelFlags.map { $0.contains(name) }
    }

    static func nx(_ c: RuleContext) -> Finding {
        let id = "cpu.nx"
        let ev = [c.cpuidEvidence("CPUID.80000001H:EDX[20]", "nx")]
        guard let has = bit(c, "nx") else {
            return c.finding(id, .unknown, c.withoutCPUEvidence("No CPUID or cpuinfo evidence was available."), evidence: ev, remedy: "no-evidence")
        }
        if has { return c.finding(id, .pass, "The CPU reports NX (Execute Disable).", evidence: ev) }
        if c.isIntelLike {
            return c.finding(id, .fail, "The CPU reports no Execute Disable (XD/NX): firmware turned it off (IA32_MISC_ENABLE[34]), or the CPU predates it.",
                             evidence: ev, remedy: "intel-disabled")
        }
        return c.finding(id, .fail, "The CPU reports no NX (no-execute) bit.", evidence: ev, remedy: "missing")
    }

    /// ESXi installs only on a host with at least two cores (VMware "ESXi Hardware Requirements",
    /// 6.5 to 8.0). A CPUID dump gives cores per package, not sockets: one core per package there
    /// is unknown, not fail.
    static func cores(_ c: RuleContext) -> Finding {
        let id = "cpu.cores"
        guard let count = c.facts.cores else {
            return c.finding(id, .unknown, c.withoutCPUEvidence("No CPUID, lscpu or cpuinfo evidence says how many cores the host has."), remedy: "no-evidence")
        }
        let ev = [EvidenceItem(source: count.source, detail: count.detail)]
        if let total = count.total {
            return total >= 2
                ? c.finding(id, .pass, "\(total) processor cores (\(count.coresPerPackage) per package, \(count.packages ?? 1) package\(count.packages == 1 ? "" : "s")).", evidence: ev)
                : c.finding(id, .fail, "One processor core: ESXi needs a host with at least two.", evidence: ev, remedy: "one-core")
        }
        return count.coresPerPackage >= 2
            ? c.finding(id, .pass, "\(count.coresPerPackage) processor cores per package.", evidence: ev)
            : c.finding(id, .unknown, "One core per package; how many packages (sockets) the host has is not in a CPUID dump.", evidence: ev, remedy: "no-evidence")
    }

    static func longMode(_ c: RuleContext) -> Finding {
        let id = "cpu.long-mode"
        let ev = [c.cpuidEvidence("CPUID.80000001H:EDX[29]", "lm")]
        guard let has = bit(c, "lm") else {
            return c.finding(id, .unknown, c.withoutCPUEvidence("No CPUID or cpuinfo evidence was available."), evidence: ev, remedy: "no-evidence")
        }
        return has
            ? c.finding(id, .pass, "The CPU supports 64-bit long mode (x86-64).", evidence: ev)
            : c.finding(id, .fail, "The CPU has no 64-bit long mode: a 32-bit-only processor.", evidence: ev, remedy: "missing")
    }
}
