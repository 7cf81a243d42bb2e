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
                   kvmParameter: "nrips", intelEquivalent: "the VM-exit instruction length, always reported", flag: "nrip_save")
    }

    /// A pasted kernel log adds what kvm_amd printed when it loaded (svm.c svm_hardware_setup:
    /// "Nested Paging enabled|disabled"): enabled proves the CPU has NPT even without CPU
    /// evidence; disabled on a CPU that has it means kvm_amd runs with npt=0.
    static func npt(_ c: RuleContext) -> Finding {
        let id = "cpu.npt"
        let logged = c.facts.logged { if case .nestedPaging = $0 { true } else { false } }.last
        let logItem = logged.map { EvidenceItem(source: "dmesg", detail: $0.line) }
        if !c.isIntelLike, c.facts.features["svm"] != true, let logged, logged.message == .nestedPaging(enabled: true) {
            return c.finding(id, .pass, "kvm_amd uses nested paging, so the CPU supports it.", evidence: logItem.map { [$0] } ?? [])
        }
        var finding = capability(c, id: id, name: "nested paging (NPT/RVI)", bit: "Fn8000_000A_EDX[0]", value: { $0.nestedPaging },
                                 missing: .fail, kvmParameter: "npt", intelEquivalent: "EPT (cpu.ept)", flag: "npt")
        guard finding.status == .pass, let logged, let logItem else { return finding }
        if logged.message == .nestedPaging(enabled: false) {
            return c.finding(id, .warn, "The CPU supports nested paging, but kvm_amd reported it disabled (npt=0), so KVM shadows guest page tables.",
                             evidence: finding.evidence + [logItem], remedy: "kvm-disabled")
        }
        finding.evidence.append(logItem)
        return finding
    }

    static func avic(_ c: RuleContext) -> Finding {
        capability(c, id: "cpu.avic", name: "AVIC", bit: "Fn8000_000A_EDX[13]", value: { $0.avic }, missing: .warn,
                   kvmParameter: "avic", intelEquivalent: "APICv (cpu.apicv)", flag: "avic")
    }

    static func capability(_ c: RuleContext, id: String, name: String, bit: String, value: (SVMFacts) -> Bool, missing: FindingStatus,
                           kvmParameter: String, intelEquivalent: String, flag: String) -> Finding {
        if c.isIntelLike {
            return c.finding(id, .notApplicable, "AMD-V feature; the Intel equivalent is \(intelEquivalent).")
        }
        guard c.facts.features["svm"] == true else {
            return c.finding(id, .notApplicable, "AMD-V is not available (see cpu.svm).")
        }
        if let finding = VMXCapabilityRules.processorsLacking(c, id: id, name: name, flag: flag, missing: missing) {
            return finding
        }
        let has: Bool
        let ev: [EvidenceItem]
        if let svm = c.facts.svm {
            has = value(svm)
            ev = [EvidenceItem(source: "CPUID \(bit)", detail: has ? "1" : "0")]
        } else if !c.cpuidRead, let flags = c.facts.kernelFlags {
            // Only cpuinfo or lscpu flags: Linux prints Fn8000_000A_EDX as flags (word 15).
            guard let answer = KernelFlagCapabilities.answer(flag, in: flags, family: KernelFlagCapabilities.amdSVMFlags) else {
                return c.finding(id, .unknown, "The cpuinfo flags carry `svm` but none of the SVM feature flags, so the kernel that wrote them may predate printing `\(flag)`: whether the CPU supports \(name) is unknown.",
                                 evidence: [EvidenceItem(source: "cpuinfo flags: \(flag)", detail: "absent, with no other SVM feature flag on the line")],
                                 remedy: "flags-old-kernel")
            }
            has = answer.present
            ev = [answer.evidence]
        } else {
            return c.finding(id, .notApplicable, "AMD-V capabilities were not decoded for this vendor (see cpu.svm).")
        }
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
