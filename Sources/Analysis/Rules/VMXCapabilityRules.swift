import HostModel

/// VT-x capabilities (SDM Vol.3C Appendix A): read from the decoded VMX MSRs or cpuinfo's
/// `vmx flags`; for a CPUID dump, from the documented model table; otherwise unknown. A missing
/// capability that profiles require (EPT, unrestricted guest) fails; one that only costs speed warns.
enum VMXCapabilityRules {
    struct Capability: Sendable {
        var id: String
        var name: String
        var value: @Sendable (VMXFacts) -> Bool?
        /// The status when the CPU lacks it.
        var missing: FindingStatus
        /// The kvm_intel parameter that can switch it off although the CPU has it.
        var kvmParameter: String?
        var amdEquivalent: String
        /// Its name in cpuinfo `flags` (Intel's word-8 VMX flags), where Linux prints one there;
        /// also its name in `vmx flags`, for comparing processors.
        var flag: String?
        /// Why kvm_intel turns `kvmParameter` off by itself on this CPU although the CPU has the
        /// capability (its hardware_setup()), so that reloading with the parameter set cannot help.
        var kvmTurnsOff: (@Sendable (VMXFacts) -> String?)? = nil
    }

    /// kvm_intel accepts the preemption timer only when it ticks at most this often (Hz), i.e.
    /// TSC >> IA32_VMX_MISC[4:0] <= 0xffffffff / 10 (vmx.c hardware_setup(): no spurious exits
    /// faster than 0.1 Hz).
    static let kvmPreemptionTimerMaxHz: UInt64 = 0xffff_ffff / 10
    /// The slowest TSC of a CPU with VT-x, for the preemption-timer rule: at or below this rate's
    /// ceiling kvm_intel's refusal does not depend on the TSC.
    static let slowestVTxTSCHz: UInt64 = 1_000_000_000

    /// The rates (IA32_VMX_MISC[4:0]) at which kvm_intel refuses the preemption timer on any CPU
    /// with VT-x, with the reason.
    static func preemptionTimerRefused(_ vmx: VMXFacts) -> String? {
        guard let rate = vmx.misc?.preemptionTimerRate, rate < 32,
              slowestVTxTSCHz >> UInt64(rate) > kvmPreemptionTimerMaxHz else { return nil }
        return "IA32_VMX_MISC[4:0] = \(rate): the timer would tick at the TSC's rate / \(1 << rate), faster than the "
            + "\(kvmPreemptionTimerMaxHz) Hz kvm_intel accepts for any TSC of \((kvmPreemptionTimerMaxHz << UInt64(rate)) / 1_000_000) MHz or more "
            + "(hardware_setup(), arch/x86/kvm/vmx/vmx.c)"
    }

    static let capabilities: [Capability] = [
        Capability(id: "cpu.ept", name: "EPT", value: { $0.ept }, missing: .fail, kvmParameter: "ept", amdEquivalent: "nested paging (cpu.npt)",
                   flag: "ept"),
        Capability(id: "cpu.unrestricted-guest", name: "unrestricted guest", value: { $0.unrestrictedGuest }, missing: .fail,
                   kvmParameter: "unrestricted_guest", amdEquivalent: "none needed: SVM runs real-mode guests directly"),
        Capability(id: "cpu.vpid", name: "VPID", value: { $0.vpid }, missing: .warn, kvmParameter: nil, amdEquivalent: "ASIDs, always present",
                   flag: "vpid"),
        Capability(id: "cpu.vmcs-shadowing", name: "VMCS shadowing", value: { $0.vmcsShadowing }, missing: .warn,
                   kvmParameter: "enable_shadow_vmcs", amdEquivalent: "VMSAVE/VMLOAD virtualization and vGIF"),
        Capability(id: "cpu.apicv", name: "APIC virtualization", value: { both($0.apicRegisterVirtualization, $0.virtualInterruptDelivery) },
                   missing: .warn, kvmParameter: "enable_apicv", amdEquivalent: "AVIC (cpu.avic)",
                   kvmTurnsOff: { vmx in
                       vmx.postedInterrupts == false
                           ? "kvm_intel uses APICv only on a CPU that also has posted interrupts, which this one lacks "
                               + "(cpu_has_vmx_apicv(), arch/x86/kvm/vmx/capabilities.h)"
                           : nil
                   }),
        Capability(id: "cpu.posted-interrupts", name: "posted interrupts", value: { $0.postedInterrupts }, missing: .warn,
                   kvmParameter: nil, amdEquivalent: "AVIC (cpu.avic)"),
        Capability(id: "cpu.preemption-timer", name: "the VMX preemption timer", value: { $0.preemptionTimer }, missing: .warn,
                   kvmParameter: "preemption_timer", amdEquivalent: "none", kvmTurnsOff: preemptionTimerRefused),
        Capability(id: "cpu.pml", name: "page-modification logging", value: { $0.pml }, missing: .warn, kvmParameter: "pml",
                   amdEquivalent: "none"),
        // bhyve's vmx_modinit() (FreeBSD sys/amd64/vmm/intel/vmx.c) refuses VT-x without it.
        Capability(id: "cpu.vmx-ins-outs", name: "INS/OUTS exit information (IA32_VMX_BASIC[54])", value: { $0.basic?.insOutsInfo },
                   missing: .fail, kvmParameter: nil, amdEquivalent: "the SVM IOIO intercept, which always reports the port and size"),
        Capability(id: "cpu.ept-5level", name: "5-level EPT", value: { $0.ept5level }, missing: .warn, kvmParameter: nil,
                   amdEquivalent: "5-level nested paging follows the host"),
    ]

    static func findings(_ c: RuleContext) -> [Finding] {
        capabilities.map { evaluate($0, c) }
    }

    /// Both halves known and present; false when either is known absent; else unknown.
    static func both(_ a: Bool?, _ b: Bool?) -> Bool? {
        if a == false || b == false { return false }
        guard let a, let b else { return nil }
        return a && b
    }

    static func evaluate(_ cap: Capability, _ c: RuleContext) -> Finding {
        if c.isAMDLike {
            return c.finding(cap.id, .notApplicable, "Intel VT-x feature; the AMD equivalent is \(cap.amdEquivalent).")
        }
        guard c.facts.features["vmx"] == true, let vmx = c.facts.vmx else {
            return c.finding(cap.id, .notApplicable, "VT-x is not available (see cpu.vmx).")
        }
        if let flag = cap.flag, let finding = processorsLacking(c, id: cap.id, name: cap.name, flag: flag, missing: cap.missing) {
            return finding
        }
        return judge(c, id: cap.id, name: cap.name, value: cap.value(vmx), source: vmx.source, missing: cap.missing,
                     kvmModule: "kvm_intel", kvmParameter: cap.kvmParameter, kvmTurnsOff: cap.kvmTurnsOff?(vmx),
                     flag: cap.flag, flagFamily: KernelFlagCapabilities.intelVMXFlags)
    }

    /// Some cpuinfo processors lack a capability flag the others print: KVM sets itself up from
    /// what every CPU offers and refuses CPUs that differ, so this is the CPU's verdict.
    static func processorsLacking(_ c: RuleContext, id: String, name: String, flag: String, missing: FindingStatus) -> Finding? {
        guard let cpus = c.facts.holdouts.cpuinfo[flag], !cpus.isEmpty else { return nil }
        let list = CPUHoldouts.list(cpus)
        return c.finding(id, missing, "CPUs \(list) lack \(name) (cpuinfo `\(flag)`), which the other CPUs have: KVM refuses CPUs whose capabilities differ.",
                         evidence: [EvidenceItem(source: "cpuinfo flags: \(flag)", detail: "absent on processors \(list), present on the others")],
                         remedy: "cpu-mismatch")
    }

    /// Shared by the VT-x and TSC-scaling rules: the CPU's own evidence, then the model table, then unknown.
    /// `kvmTurnsOff`: why the KVM module switches `kvmParameter` off by itself on this CPU, when it does.
    static func judge(_ c: RuleContext, id: String, name: String, value: Bool?, source: VMXFacts.Source, missing: FindingStatus,
                      kvmModule: String, kvmParameter: String?, kvmTurnsOff: String? = nil, flag: String? = nil,
                      flagFamily: [String] = []) -> Finding {
        let where_ = source == .msr ? "IA32_VMX_* MSRs" : "/proc/cpuinfo vmx flags"
        var evidence: EvidenceItem?
        var value = value
        if let v = value {
            evidence = EvidenceItem(source: where_, detail: "\(name): \(v ? "supported" : "not supported")")
        } else if let flag, let flags = c.facts.kernelFlags, let answer = KernelFlagCapabilities.answer(flag, in: flags, family: flagFamily) {
            value = answer.present
            evidence = answer.evidence
        }
        if let value, let evidence {
            let ev = [evidence]
            guard value else {
                return c.finding(id, missing, "The CPU does not support \(name).", evidence: ev, remedy: "missing")
            }
            if let parameter = kvmParameter, c.moduleFlag(kvmModule, parameter) == false, let why = kvmTurnsOff {
                return c.finding(id, .warn, "The CPU supports \(name), but \(kvmModule) turns it off by itself (\(parameter)=N): \(why).",
                                 evidence: ev + [EvidenceItem(source: "/sys/module/\(kvmModule)/parameters/\(parameter)", detail: "N")],
                                 remedy: "kvm-turns-off")
            }
            if let parameter = kvmParameter, c.moduleFlag(kvmModule, parameter) == false {
                return c.finding(id, .warn, "The CPU supports \(name), but \(kvmModule) runs with \(parameter)=N, so KVM does not use it.",
                                 evidence: ev + [EvidenceItem(source: "/sys/module/\(kvmModule)/parameters/\(parameter)", detail: "N")],
                                 remedy: "kvm-disabled")
            }
            return c.finding(id, .pass, "The CPU supports \(name).", evidence: ev)
        }
        if let entry = c.models.lacking(id, c.facts.identity) {
            let ev = [EvidenceItem(source: "Data/rules/cpu_models.tsv", detail: "\(entry.name): \(entry.source)")]
            return c.finding(id, missing, "This CPU model (\(entry.name)) does not support \(name) (documented; its VMX MSRs were not read).",
                             evidence: ev, remedy: "missing")
        }
        let reason = c.msrMissingReason(0x48B) ?? "the VMX capability MSRs were not decoded"
        return c.finding(id, .unknown, "Whether the CPU supports \(name) is unknown: \(reason), and cpuinfo has no `vmx flags` line.",
                         evidence: [EvidenceItem(source: "IA32_VMX_* MSRs", detail: reason)], remedy: "no-capability-evidence")
    }
}
