import HostModel

/// AMD-V capabilities from CPUID Fn8000_000A (APM Vol.3 E.4.9), plus TSC scaling for both vendors.
/// Nested paging is required by Hyper-V and bhyve, so its absence fails; AVIC only costs speed.
enum SVMCapabilityRules {
    static func findings(_ c: RuleContext) -> [Finding] {
        [npt(c), nripSave(c), avic(c), tscScaling(c)]
    }

    /// bhyve's check_svm_features() (FreeBSD sys/amd64/vmm/amd/svm.c) refuses to load without it;
    /// kvm_amd only uses it when present (module parameter `nrips`).
    static func nripSave(_ c: RuleContext) -> Finding {
        capability(c, id: "cpu.nrip-save", name: "NRIP save", bit: "Fn8000_000A_EDX[3]", value: { $0.nripSave }, missing: .fail,
                   kvmParameter: "nrips", intelEquivalent: "the VM-exit instruction length, always reported")
    }

    static func npt(_ c: RuleContext) -> Finding {
        capability(c, id: "cpu.npt", name: "nested paging (NPT/RVI)", bit: "Fn8000_000A_EDX[0]", value: { $0.nestedPaging },
                   missing: .fail, kvmParameter: "npt", intelEquivalent: "EPT (cpu.ept)")
    }

    static func avic(_ c: RuleContext) -> Finding {
        capability(c, id: "cpu.avic", name: "AVIC", bit: "Fn8000_000A_EDX[13]", value: { $0.avic }, missing: .warn,
                   kvmParameter: "avic", intelEquivalent: "APICv (cpu.apicv)")
    }

    static func capability(_ c: RuleContext, id: String, name: String, bit: String, value: (SVMFacts) -> Bool, missing: FindingStatus,
                           kvmParameter: String, intelEquivalent: String) -> Finding {
        if c.isIntelLike {
            return c.finding(id, .notApplicable, "AMD-V feature; the Intel equivalent is \(intelEquivalent).")
        }
        guard c.facts.features["svm"] == true, let svm = c.facts.svm else {
            return c.finding(id, .notApplicable, "AMD-V is not available\(c.cpuidRead ? "" : " or CPUID was not read") (see cpu.svm).")
        }
        let has = value(svm)
        let ev = [EvidenceItem(source: "CPUID \(bit)", detail: has ? "1" : "0")]
        guard has else { return c.finding(id, missing, "The CPU does not support \(name).", evidence: ev, remedy: "missing") }
        if c.moduleFlag("kvm_amd", kvmParameter) == false {
            return c.finding(id, .warn, "The CPU supports \(name), but kvm_amd runs with \(kvmParameter)=N, so KVM does not use it.",
                             evidence: ev + [EvidenceItem(source: "/sys/module/kvm_amd/parameters/\(kvmParameter)", detail: "N")],
                             remedy: "kvm-disabled")
        }
        return c.finding(id, .pass, "The CPU supports \(name).", evidence: ev)
    }

    /// Intel: the VMX "use TSC scaling" control; AMD: TscRateMsr.
    static func tscScaling(_ c: RuleContext) -> Finding {
        let id = "cpu.tsc-scaling", f = c.facts
        if c.isAMDLike {
            guard f.features["svm"] == true, let svm = f.svm else {
                return c.finding(id, .notApplicable, "AMD-V is not available (see cpu.svm).")
            }
            let ev = [EvidenceItem(source: "CPUID Fn8000_000A_EDX[4] (TscRateMsr)", detail: svm.tscRateMsr ? "1" : "0")]
            return svm.tscRateMsr
                ? c.finding(id, .pass, "The CPU supports TSC scaling (TSC ratio MSR).", evidence: ev)
                : c.finding(id, .warn, "The CPU does not support TSC scaling.", evidence: ev, remedy: "missing")
        }
        guard f.features["vmx"] == true, let vmx = f.vmx else {
            return c.finding(id, .notApplicable, "Neither VT-x nor AMD-V is available (see cpu.vmx, cpu.svm).")
        }
        return VMXCapabilityRules.judge(c, id: id, name: "TSC scaling", value: vmx.tscScaling, source: vmx.source, missing: .warn,
                                        kvmModule: "kvm_intel", kvmParameter: nil)
    }
}
