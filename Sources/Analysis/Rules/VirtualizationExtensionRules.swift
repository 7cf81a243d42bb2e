import HostModel

/// Whether VT-x / AMD-V is there, and when it is not, why: the model has none, an outer
/// hypervisor hides it, firmware disabled it, the kernel hid it, or the evidence is missing.
/// Each reason has its own remedy; missing evidence is `unknown`, never `fail`.
enum VirtualizationExtensionRules {
    static func findings(_ c: RuleContext) -> [Finding] {
        [vmx(c), svm(c), vmxFirmware(c), svmFirmware(c)]
    }

    static func vmx(_ c: RuleContext) -> Finding {
        let id = "cpu.vmx", f = c.facts
        var ev = [c.cpuidEvidence("CPUID.01H:ECX[5]", "vmx"), c.hypervisorEvidence]
        if c.isAMDLike || (f.identity.vendor == nil && f.features["svm"] == true) {
            return c.finding(id, .notApplicable, "AMD CPU: AMD-V (SVM) is the equivalent.", evidence: ev)
        }
        if f.features.isEmpty, let finding = logged(c, id, module: "kvm_intel", extensionName: "VT-x", evidence: ev) {
            return finding
        }
        if f.features.isEmpty {
            return c.finding(id, .unknown, c.withoutCPUEvidence("No CPUID or cpuinfo evidence was available."), evidence: ev, remedy: "no-evidence")
        }
        if let finding = holdout(c, id, flag: "vmx", bit: "CPUID.01H:ECX[5]", extensionName: "VT-x", module: "kvm_intel", evidence: ev) {
            return finding
        }
        if let finding = capabilityMismatch(c, id, evidence: ev) {
            return finding
        }
        if f.features["vmx"] == true {
            let unread = vmxCapabilityDifferences(c).filter { !$0.unread.isEmpty }
            if let first = unread.first {
                let cpus = Set(unread.flatMap(\.unread)).sorted()
                ev.append(EvidenceItem(source: "VMX capability MSRs on each CPU",
                                       detail: "not compared on CPU\(cpus.count == 1 ? "" : "s") \(CPUHoldouts.list(cpus)) (\(first.unreadReason ?? "not read"))"))
            }
            return c.finding(id, .pass, passSummary(c, "VMX", flag: "vmx"), evidence: ev)
        }
        if let vendor = f.identity.vendor, !c.isIntelLike {
            return c.finding(id, .notApplicable, "\(vendor) CPU: VT-x does not apply.", evidence: ev)
        }
        return missing(c, id, extensionName: "VT-x", evidence: &ev)
    }

    static func svm(_ c: RuleContext) -> Finding {
        let id = "cpu.svm", f = c.facts
        var ev = [c.cpuidEvidence("CPUID.80000001H:ECX[2]", "svm"), c.hypervisorEvidence]
        if c.isIntelLike || (f.identity.vendor == nil && f.features["vmx"] == true) {
            return c.finding(id, .notApplicable, "Intel-compatible CPU: VT-x (VMX) is the equivalent.", evidence: ev)
        }
        if f.features.isEmpty, let finding = logged(c, id, module: "kvm_amd", extensionName: "AMD-V", evidence: ev) {
            return finding
        }
        if f.features.isEmpty {
            return c.finding(id, .unknown, c.withoutCPUEvidence("No CPUID or cpuinfo evidence was available."), evidence: ev, remedy: "no-evidence")
        }
        if let finding = holdout(c, id, flag: "svm", bit: "CPUID.80000001H:ECX[2]", extensionName: "AMD-V", module: "kvm_amd", evidence: ev) {
            return finding
        }
        if f.features["svm"] == true {
            return c.finding(id, .pass, passSummary(c, "SVM", flag: "svm"), evidence: ev)
        }
        if let vendor = f.identity.vendor, !c.isAMDLike {
            return c.finding(id, .notApplicable, "\(vendor) CPU: AMD-V does not apply.", evidence: ev)
        }
        return missing(c, id, extensionName: "AMD-V", evidence: &ev)
    }

    /// Without CPU evidence, what the kernel log says when the KVM backend loaded: it refused for
    /// want of the extension (6.1 x86.c kvm_arch_init "no hardware support", 6.4+ "VMX/SVM not
    /// supported by CPU N": CPUID lacks it) or because firmware disabled it (the extension is there;
    /// the firmware rule fails). nil when the log says neither.
    static func logged(_ c: RuleContext, _ id: String, module: String, extensionName: String, evidence: [EvidenceItem]) -> Finding? {
        if let entry = c.facts.logged({ $0 == .kvmNoHardwareSupport(module: module) }).first {
            return c.finding(id, .fail, "\(module) refused to load: the kernel found no \(extensionName) on this CPU.",
                             evidence: evidence + [EvidenceItem(source: "dmesg", detail: entry.line)], remedy: "cpu-without-vt")
        }
        if let entry = c.facts.logged({ $0 == .kvmDisabledByFirmware(module: module) }).first {
            return c.finding(id, .pass, "The CPU has \(extensionName): \(module) found it disabled by firmware, not missing (see the firmware rule).",
                             evidence: evidence + [EvidenceItem(source: "dmesg", detail: entry.line)])
        }
        // svm.c svm_hardware_setup runs only after kvm_arch_init found SVM present and enabled,
        // so its messages say kvm_amd loaded on a CPU with AMD-V.
        if module == "kvm_amd", let entry = c.facts.logged({
            switch $0 { case .nestedPaging, .nestedEnabled: true; default: false }
        }).first {
            return c.finding(id, .pass, "kvm_amd loaded (it printed its setup), so the CPU has usable AMD-V.",
                             evidence: evidence + [EvidenceItem(source: "dmesg", detail: entry.line)])
        }
        return nil
    }

    static func passSummary(_ c: RuleContext, _ name: String, flag: String) -> String {
        if c.cpuidRead { return "CPUID reports \(name)." }
        if c.facts.kernelFlags != nil { return "cpuinfo flags include \(flag)." }
        return "lscpu reports Virtualization: \(c.facts.lscpuVirtualization ?? "")."
    }

    /// Some logical CPUs lack the extension that others have. KVM checks every online CPU when its
    /// backend loads (linux arch/x86/kvm/x86.c kvm_x86_vendor_init() runs the vendor's
    /// check_processor_compat on each; vmx.c/svm.c kvm_is_vmx_supported()/kvm_is_svm_supported()
    /// print "VMX/SVM not supported by CPU N") and refuses to load, so the host fails, and the
    /// CPUs are named. CPUID per CPU decides where it was read; else cpuinfo per processor.
    static func holdout(_ c: RuleContext, _ id: String, flag: String, bit: String, extensionName: String, module: String,
                        evidence ev: [EvidenceItem]) -> Finding? {
        let h = c.facts.holdouts
        let (cpus, source) = c.cpuidRead ? (h.cpuid[flag], "\(bit) on each CPU") : (h.cpuinfo[flag], "cpuinfo flags: \(flag) on each processor")
        guard let cpus, !cpus.isEmpty else { return nil }
        let list = CPUHoldouts.list(cpus)
        return c.finding(id, .fail, "CPUs \(list) lack \(extensionName), which the other CPUs have: \(module) checks every online CPU and refuses to load.",
                         evidence: [EvidenceItem(source: source, detail: "\(flag) absent on CPUs \(list), present on the others")] + ev,
                         remedy: "cpu-mismatch")
    }

    /// The per-CPU comparisons of the VMX capability MSRs (0x480-0x492) that found a difference
    /// or a CPU not read.
    static func vmxCapabilityDifferences(_ c: RuleContext) -> [MSRDifference] {
        (VMXDecoder.MSR.basic...VMXDecoder.MSR.procBased3).compactMap { c.facts.holdouts.msr[$0] }
    }

    /// Some CPUs report VMX capabilities other than the reference CPU's. kvm_intel builds its VMCS
    /// configuration from these MSRs on every online CPU and refuses to load when one differs from
    /// the boot CPU's (linux arch/x86/kvm/vmx/vmx.c vmx_check_processor_compat(): "Inconsistent
    /// VMCS config on CPU %d"), so the host fails and the CPUs are named. Compared raw: a bit KVM
    /// does not use would not stop it, but CPUs of one host that differ there are set up
    /// differently all the same (firmware, microcode, or mixed steppings).
    static func capabilityMismatch(_ c: RuleContext, _ id: String, evidence ev: [EvidenceItem]) -> Finding? {
        let differing = vmxCapabilityDifferences(c).filter { !$0.differing.isEmpty }
        guard let first = differing.first else { return nil }
        let cpus = Set(differing.flatMap { $0.differing.map(\.cpu) }).sorted()
        let names = differing.map { Hex.format32($0.index) }.joined(separator: ", ")
        return c.finding(id, .fail, "CPU\(cpus.count == 1 ? "" : "s") \(CPUHoldouts.list(cpus)) report\(cpus.count == 1 ? "s" : "") VMX capabilities (MSR \(names)) other than CPU \(first.referenceCPU)'s: kvm_intel builds its VMCS configuration on every online CPU and refuses to load when one differs (\"Inconsistent VMCS config on CPU N\").",
                         evidence: differing.map { PerCPUMSR.evidence($0, name: "VMX capability") } + ev, remedy: "cpu-mismatch")
    }

    /// The extension's bit is clear: say which of the reasons holds, in order of certainty.
    static func missing(_ c: RuleContext, _ id: String, extensionName: String, evidence ev: inout [EvidenceItem]) -> Finding {
        if c.facts.hypervisor.present {
            var summary = "\(extensionName) is hidden by the outer hypervisor (\(c.hypervisorName))"
            if c.facts.hypervisor.hyperVRootPartition == true {
                summary += ", which runs beneath this OS as the Windows Hyper-V root partition"
            }
            summary += ": the physical CPU may well have it, but this OS cannot use it."
            if let backend = c.softwareBackend {
                summary += " KVM is provided anyway by \(backend), a software backend (see kvm.guest-run)."
                ev.append(EvidenceItem(source: "/sys/module/\(backend)", detail: "software KVM backend loaded"))
            }
            return c.finding(id, .fail, summary, evidence: ev, remedy: c.hiddenSituation)
        }
        if !c.cpuidRead {
            return c.finding(id, .fail, "cpuinfo flags lack \(id == "cpu.vmx" ? "vmx" : "svm") and no CPUID was given: the CPU has no \(extensionName), or firmware disabled it.",
                             evidence: ev, remedy: "flags-only")
        }
        if let entry = c.models.lacking(id, c.facts.identity) {
            ev.append(EvidenceItem(source: "Data/rules/cpu_models.tsv", detail: "\(entry.name): \(entry.source)"))
            return c.finding(id, .fail, "This CPU model (\(entry.name)) has no \(extensionName).", evidence: ev, remedy: "model-without-vt")
        }
        return c.finding(id, .fail, "CPUID reports no \(id == "cpu.vmx" ? "VMX" : "SVM") on bare metal: this CPU has no \(extensionName).",
                         evidence: ev, remedy: "cpu-without-vt")
    }

    static func vmxFirmware(_ c: RuleContext) -> Finding {
        let id = "cpu.vmx.enabled-by-firmware", f = c.facts
        let disabled = f.logged { $0 == .kvmDisabledByFirmware(module: "kvm_intel") }.first
        guard f.features["vmx"] == true || disabled != nil else {
            return c.finding(id, .notApplicable, "No VT-x to enable (see cpu.vmx).")
        }
        if let finding = PerCPUMSR.firmwareEnable(c, id, index: VMXDecoder.MSR.featureControl, name: "IA32_FEATURE_CONTROL", extensionName: "VT-x",
                                                  module: "kvm_intel", how: "IA32_FEATURE_CONTROL locked without VMX outside SMX",
                                                  isOff: { let fc = VMXDecoder.featureControl($0); return fc.locked && !fc.vmxOutsideSmx }) {
            return finding
        }
        if let fc = f.vmx?.featureControl {
            let value = f.msr(0x3A)?.value.map { Hex.format64($0) } ?? "read"
            let ev = [c.msrEvidence(0x3A, "IA32_FEATURE_CONTROL",
                                    "\(value): lock=\(fc.locked ? 1 : 0), VMX inside SMX=\(fc.vmxInsideSmx ? 1 : 0), VMX outside SMX=\(fc.vmxOutsideSmx ? 1 : 0)")]
            if fc.locked && !fc.vmxOutsideSmx {
                return fc.vmxInsideSmx
                    ? c.finding(id, .fail, "Firmware locked IA32_FEATURE_CONTROL allowing VT-x only inside TXT (SMX): VMXON faults for every hypervisor.",
                                evidence: ev, remedy: "locked-smx-only")
                    : c.finding(id, .fail, "Firmware locked IA32_FEATURE_CONTROL with VT-x disabled: VMXON faults until VT-x is enabled in the firmware setup.",
                                evidence: ev, remedy: "locked-disabled")
            }
            return fc.locked
                ? c.finding(id, .pass, "IA32_FEATURE_CONTROL is locked with VT-x enabled outside SMX.", evidence: ev)
                : c.finding(id, .pass, "IA32_FEATURE_CONTROL is unlocked: the kernel enables and locks VT-x itself at boot.", evidence: ev)
        }
        if let disabled {
            return c.finding(id, .fail, "The kernel reported VT-x disabled by firmware: kvm_intel refuses to load until it is enabled in the firmware setup.",
                             evidence: [EvidenceItem(source: "dmesg", detail: disabled.line)], remedy: "kernel-log")
        }
        let cpuidItem = c.cpuidEvidence("CPUID.01H:ECX[5]", "vmx")
        if c.cpuidRead, let cpus = f.holdouts.cpuinfo["vmx"], !cpus.isEmpty {
            let list = CPUHoldouts.list(cpus)
            return c.finding(id, .fail, "CPUID reports VMX but the kernel removed `vmx` from cpuinfo on CPUs \(list): firmware left VT-x disabled there (IA32_FEATURE_CONTROL), and kvm_intel refuses to load.",
                             evidence: [cpuidItem, EvidenceItem(source: "cpuinfo flags: vmx on each processor", detail: "absent on CPUs \(list), present on the others")],
                             remedy: "kernel-cleared")
        }
        if c.cpuidRead, let flags = f.kernelFlags {
            let flagItem = EvidenceItem(source: "/proc/cpuinfo flags", detail: flags.contains("vmx") ? "vmx present" : "vmx absent")
            if !flags.contains("vmx") {
                return c.finding(id, .fail, "CPUID reports VMX but the kernel removed `vmx` from cpuinfo: firmware left VT-x disabled (IA32_FEATURE_CONTROL).",
                                 evidence: [cpuidItem, flagItem], remedy: "kernel-cleared")
            }
            if let v = c.kernelVersion, v >= (5, 6) {
                return c.finding(id, .pass, "The kernel (\(v.major).\(v.minor), which removes `vmx` when firmware disabled VT-x) keeps `vmx` in cpuinfo.",
                                 evidence: [cpuidItem, flagItem, EvidenceItem(source: "uname -r", detail: f.kernelRelease ?? "")])
            }
        }
        let reason = c.msrMissingReason(0x3A) ?? "IA32_FEATURE_CONTROL was not decoded"
        return c.finding(id, .unknown, "Whether firmware enabled VT-x is unknown: \(reason).",
                         evidence: [c.msrEvidence(0x3A, "IA32_FEATURE_CONTROL", reason)], remedy: c.msrRemedy)
    }

    static func svmFirmware(_ c: RuleContext) -> Finding {
        let id = "cpu.svm.enabled-by-firmware", f = c.facts
        let logged = f.logged { $0 == .kvmDisabledByFirmware(module: "kvm_amd") }.first
        guard f.features["svm"] == true || logged != nil else {
            return c.finding(id, .notApplicable, "No AMD-V to enable (see cpu.svm).")
        }
        if let finding = PerCPUMSR.firmwareEnable(c, id, index: MSRComparison.vmCR, name: "VM_CR", extensionName: "AMD-V",
                                                  module: "kvm_amd", how: "VM_CR.SVMDIS=1", isOff: { $0 & 0x10 != 0 }) {
            return finding
        }
        if let disabled = f.svm?.disabledByBios {
            let locked = f.svm?.vmcrLocked ?? false
            let value = f.msr(0xC001_0114)?.value.map { Hex.format64($0) } ?? "read"
            let ev = [c.msrEvidence(0xC001_0114, "VM_CR", "\(value): SVMDIS=\(disabled ? 1 : 0), LOCK=\(locked ? 1 : 0)")]
            guard disabled else {
                return c.finding(id, .pass, "VM_CR.SVMDIS is clear: firmware leaves AMD-V enabled.", evidence: ev)
            }
            return locked
                ? c.finding(id, .fail, "Firmware disabled AMD-V and locked it (VM_CR.SVMDIS=1, LOCK=1).", evidence: ev, remedy: "disabled-locked")
                : c.finding(id, .fail, "Firmware disabled AMD-V (VM_CR.SVMDIS=1, not locked); kvm_amd refuses to load.", evidence: ev, remedy: "disabled-unlocked")
        }
        if let logged {
            return c.finding(id, .fail, "The kernel reported AMD-V disabled by firmware (VM_CR.SVMDIS): kvm_amd refuses to load.",
                             evidence: [EvidenceItem(source: "dmesg", detail: logged.line)], remedy: "kernel-log")
        }
        let reason = c.msrMissingReason(0xC001_0114) ?? "VM_CR was not decoded"
        return c.finding(id, .unknown, "Whether firmware enabled AMD-V is unknown: \(reason).",
                         evidence: [c.msrEvidence(0xC001_0114, "VM_CR", reason)], remedy: c.msrRemedy)
    }
}
