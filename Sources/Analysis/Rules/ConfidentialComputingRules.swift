import HostModel

/// Confidential VMs: AMD SEV-SNP and Intel TDX. Each has a CPU-side rule (can this CPU, as its
/// evidence shows) and a host-side one (did the host kernel's KVM enable it), so a CPUID dump
/// still answers the CPU question.
enum ConfidentialComputingRules {
    static func findings(_ c: RuleContext) -> [Finding] {
        [sev(c, id: "cc.sev", name: "SEV", bit: "Fn8000_001F_EAX[1]", has: { $0.sev }, parameter: "sev"),
         sev(c, id: "cc.sev-es", name: "SEV-ES", bit: "Fn8000_001F_EAX[3]", has: { $0.sevEs }, parameter: "sev_es"),
         sevSnp(c), sevSnpKVM(c), tdx(c), tdxKVM(c)]
    }

    static func sevSnp(_ c: RuleContext) -> Finding {
        let id = "cc.sev-snp", f = c.facts
        if c.isIntelLike { return c.finding(id, .fail, "Intel CPU: no SEV-SNP.", remedy: "not-amd") }
        guard c.cpuidRead else {
            return c.finding(id, .unknown, "CPUID was not read; SEV-SNP is enumerated only there (Fn8000_001F).", remedy: "no-evidence")
        }
        guard let sev = f.sev else {
            let ev = [EvidenceItem(source: "CPUID Fn8000_001F", detail: "absent or zero")]
            if f.hypervisor.present {
                return c.finding(id, .fail, "CPUID leaf 0x8000001F is absent under the hypervisor (\(c.hypervisorName)): no SEV-SNP for guests of this OS.",
                                 evidence: ev, remedy: "hidden")
            }
            return c.finding(id, .fail, "CPUID leaf 0x8000001F is absent: this CPU has no memory encryption, so no SEV-SNP.", evidence: ev, remedy: "no-leaf")
        }
        let parts: [(String, Bool)] = [("AMD-V (Fn8000_0001_ECX[2])", f.features["svm"] == true), ("SEV (Fn8000_001F_EAX[1])", sev.sev),
                                       ("SEV-ES (Fn8000_001F_EAX[3])", sev.sevEs), ("SEV-SNP (Fn8000_001F_EAX[4])", sev.sevSnp)]
        let ev = [EvidenceItem(source: "CPUID Fn8000_001F",
                               detail: "SME=\(bit(sev.sme)) SEV=\(bit(sev.sev)) SEV-ES=\(bit(sev.sevEs)) SEV-SNP=\(bit(sev.sevSnp)) VMPL=\(bit(sev.vmplSupported)), C-bit \(sev.cbitPosition), \(sev.encryptedGuests) encrypted guests"),
                  c.cpuidEvidence("CPUID.80000001H:ECX[2]", "svm")]
        let missing = parts.filter { !$0.1 }.map(\.0)
        if missing.isEmpty {
            return c.finding(id, .pass, "CPUID reports SEV, SEV-ES and SEV-SNP (\(sev.encryptedGuests) encrypted guests, C-bit \(sev.cbitPosition)).", evidence: ev)
        }
        let present = parts.filter(\.1).map(\.0)
        return c.finding(id, .fail, "CPUID lacks \(missing.joined(separator: ", "))\(present.isEmpty ? "" : "; it reports \(present.joined(separator: ", "))").",
                         evidence: ev, remedy: f.hypervisor.present ? "hidden" : "missing")
    }

    /// SEV and SEV-ES guests, end to end as virt-host-validate's "secure guest support" check sees
    /// them: the CPU bit, kvm_amd's parameter, and /dev/sev (the PSP driver QEMU talks to).
    static func sev(_ c: RuleContext, id: String, name: String, bit: String, has: (SEVFacts) -> Bool, parameter: String) -> Finding {
        let f = c.facts
        if c.isIntelLike { return c.finding(id, .notApplicable, "Intel CPU: no \(name); Intel's confidential VMs are TDX (cc.tdx).") }
        var ev: [EvidenceItem] = []
        if c.cpuidRead {
            let cpuHas = f.sev.map(has) ?? false
            ev.append(EvidenceItem(source: "CPUID \(bit)", detail: cpuHas ? "1" : "0"))
            if !cpuHas {
                return c.finding(id, .fail, f.hypervisor.present ? "CPUID shows no \(name) under the hypervisor (\(c.hypervisorName))." : "The CPU has no \(name).",
                                 evidence: ev, remedy: "cpu-missing")
            }
        }
        guard let loaded = c.isLoaded("kvm_amd") else {
            return c.finding(id, .unknown, c.cpuidRead ? "The CPU offers \(name); the input holds no kernel module evidence." : "The input holds neither CPUID nor kernel module evidence.",
                             evidence: ev, remedy: "not-read")
        }
        guard loaded else {
            return c.finding(id, .fail, "kvm_amd is not loaded, so KVM cannot start \(name) guests.",
                             evidence: ev + [EvidenceItem(source: "/sys/module", detail: "no kvm_amd")], remedy: "kvm-amd-absent")
        }
        let value = f.moduleParameter("kvm_amd", parameter)
        ev.append(EvidenceItem(source: "/sys/module/kvm_amd/parameters/\(parameter)", detail: value ?? "absent"))
        guard c.moduleFlag("kvm_amd", parameter) == true else {
            return c.finding(id, .fail, value == nil ? "kvm_amd has no \(parameter) parameter (kernel without \(name) host support)." : "kvm_amd runs with \(parameter)=\(value!): \(name) is off.",
                             evidence: ev, remedy: "param-off")
        }
        ev.append(EvidenceItem(source: "/dev/sev", detail: f.sevDevice.map { $0 ? "present" : "absent" } ?? "not looked at"))
        switch f.sevDevice {
        case true?: return c.finding(id, .pass, "kvm_amd runs with \(parameter)=Y and /dev/sev exists: \(name) guests can start.", evidence: ev)
        case false?: return c.finding(id, .fail, "kvm_amd runs with \(parameter)=Y but /dev/sev is missing.", evidence: ev, remedy: "no-dev-sev")
        case nil: return c.finding(id, .unknown, "kvm_amd runs with \(parameter)=Y; whether /dev/sev exists was not looked at.", evidence: ev, remedy: "not-read")
        }
    }

    static func sevSnpKVM(_ c: RuleContext) -> Finding {
        let id = "cc.sev-snp.kvm", f = c.facts
        if c.isIntelLike { return c.finding(id, .notApplicable, "Intel CPU: no SEV-SNP (see cc.sev-snp).") }
        guard let loaded = c.isLoaded("kvm_amd") else {
            return c.finding(id, .unknown, "The input holds no kernel module evidence.", remedy: "not-read")
        }
        guard loaded else {
            return c.finding(id, .fail, "kvm_amd is not loaded\(c.softwareBackend.map { " (KVM comes from \($0))" } ?? ""), so KVM cannot start SEV-SNP guests.",
                             evidence: [EvidenceItem(source: "/sys/module", detail: "no kvm_amd")], remedy: "kvm-amd-absent")
        }
        let param = f.moduleParameter("kvm_amd", "sev_snp")
        var ev = [EvidenceItem(source: "/sys/module/kvm_amd/parameters/sev_snp", detail: param ?? "absent")]
        guard c.moduleFlag("kvm_amd", "sev_snp") == true else {
            return c.finding(id, .fail, param == nil ? "kvm_amd has no sev_snp parameter (kernel without SNP host support)." : "kvm_amd runs with sev_snp=\(param!): SNP is off.",
                             evidence: ev, remedy: "param-off")
        }
        ev.append(EvidenceItem(source: "/dev/sev", detail: f.sevDevice.map { $0 ? "present" : "absent" } ?? "not looked at"))
        switch f.sevDevice {
        case true?: return c.finding(id, .pass, "kvm_amd runs with sev_snp=Y and /dev/sev exists.", evidence: ev)
        case false?: return c.finding(id, .fail, "kvm_amd runs with sev_snp=Y but /dev/sev is missing.", evidence: ev, remedy: "no-dev-sev")
        case nil: return c.finding(id, .unknown, "kvm_amd runs with sev_snp=Y; whether /dev/sev exists was not looked at.", evidence: ev, remedy: "not-read")
        }
    }

    /// SEAMRR enable bit (IA32_SEAMRR_PHYS_MASK[11]), as linux arch/x86/virt/vmx/tdx reads it.
    static let seamrrMask: UInt32 = 0x1401

    static func tdx(_ c: RuleContext) -> Finding {
        let id = "cc.tdx", f = c.facts
        if c.isAMDLike { return c.finding(id, .fail, "AMD CPU: no TDX.", remedy: "not-intel") }
        if let flags = f.kernelFlags, flags.contains("tdx_host_platform") {
            return c.finding(id, .pass, "The kernel reports a TDX host platform (SEAMRR enabled, TDX KeyIDs partitioned).",
                             evidence: [EvidenceItem(source: "/proc/cpuinfo flags", detail: "tdx_host_platform present")])
        }
        if let d = f.holdouts.msr[seamrrMask], let (off, on) = PerCPUMSR.split(d, isOff: { ($0 >> 11) & 1 == 0 }) {
            // The TDX module is initialised on every CPU (linux arch/x86/virt/vmx/tdx/tdx.c runs
            // TDH.SYS.LP.INIT per CPU), which a CPU outside SEAM cannot do.
            return c.finding(id, .fail, "SEAMRR is enabled on CPU\(on.count == 1 ? "" : "s") \(CPUHoldouts.list(on)) but not on CPU\(off.count == 1 ? "" : "s") \(CPUHoldouts.list(off)): firmware set up TDX on part of the host only.",
                             evidence: [PerCPUMSR.evidence(d, name: "IA32_SEAMRR_PHYS_MASK")], remedy: "cpu-mismatch")
        }
        if let read = f.msr(seamrrMask) {
            if read.status == .ok, let value = read.value {
                let ev = [c.msrEvidence(seamrrMask, "IA32_SEAMRR_PHYS_MASK", "\(Hex.format64(value)): enabled=\((value >> 11) & 1)")]
                return (value >> 11) & 1 == 1
                    ? c.finding(id, .pass, "SEAMRR is enabled: firmware set up the range the TDX module runs in.", evidence: ev)
                    : c.finding(id, .fail, "SEAMRR is not enabled: firmware did not enable TDX.", evidence: ev, remedy: "seamrr-disabled")
            }
            if read.status == .unsupported {
                return c.finding(id, .fail, "IA32_SEAMRR_PHYS_MASK does not exist on this CPU: no SEAM, so no TDX.",
                                 evidence: [c.msrEvidence(seamrrMask, "IA32_SEAMRR_PHYS_MASK", "unsupported")], remedy: "no-seam")
            }
        }
        if let brand = f.identity.brand, c.isIntelLike, !holds(brand, "Xeon") {
            return c.finding(id, .fail, "Not a Xeon server processor (\(brand)): TDX exists only on 4th-generation Xeon Scalable and later.",
                             evidence: [EvidenceItem(source: "CPUID.80000002H-80000004H brand", detail: brand)], remedy: "not-xeon")
        }
        let reason = c.msrMissingReason(seamrrMask) ?? "no evidence"
        return c.finding(id, .unknown, "CPUID does not enumerate TDX on a host, cpuinfo has no `tdx_host_platform`, and \(reason).",
                         remedy: "no-evidence")
    }

    /// Whether `text` holds `word`'s bytes anywhere, as `contains` says of them: compared as
    /// bytes, not through the string-processing library's searcher, whose set-up was 0.38 M
    /// instructions of an Intel host's check for one 48-byte brand (callgrind, issue 16).
    static func holds(_ text: String, _ word: String) -> Bool {
        let bytes = Array(text.utf8), wanted = Array(word.utf8)
        guard bytes.count >= wanted.count else { return false }
        return (0...bytes.count - wanted.count).contains { bytes[$0..<$0 + wanted.count].elementsEqual(wanted) }
    }

    static func tdxKVM(_ c: RuleContext) -> Finding {
        let id = "cc.tdx.kvm", f = c.facts
        if c.isAMDLike { return c.finding(id, .notApplicable, "AMD CPU: no TDX (see cc.tdx).") }
        guard let loaded = c.isLoaded("kvm_intel") else {
            return c.finding(id, .unknown, "The input holds no kernel module evidence.", remedy: "not-read")
        }
        guard loaded else {
            return c.finding(id, .fail, "kvm_intel is not loaded, so KVM cannot start TDX guests.",
                             evidence: [EvidenceItem(source: "/sys/module", detail: "no kvm_intel")], remedy: "kvm-intel-absent")
        }
        let param = f.moduleParameter("kvm_intel", "tdx")
        let ev = [EvidenceItem(source: "/sys/module/kvm_intel/parameters/tdx", detail: param ?? "absent")]
        return c.moduleFlag("kvm_intel", "tdx") == true
            ? c.finding(id, .pass, "kvm_intel runs with tdx=Y.", evidence: ev)
            : c.finding(id, .fail, param == nil ? "kvm_intel has no tdx parameter (kernel without TDX host support)." : "kvm_intel runs with tdx=\(param!): TDX is off.",
                        evidence: ev, remedy: "param-off")
    }

    static func bit(_ b: Bool) -> Int { b ? 1 : 0 }
}
