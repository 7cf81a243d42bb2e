import HostModel

/// The first rules: whether the CPU offers VT-x/AMD-V, and whether KVM is usable here —
/// proven by running a guest, never inferred from flags alone.
public enum CoreRules {
    public static func findings(_ f: HostFacts, source: SourceInfo) -> [Finding] {
        [vmx(f), svm(f), kvmDevice(f, source), kvmAccessible(f, source), kvmAPI(f, source), guestRun(f, source), nested(f, source)]
    }

    static func isIntelLike(_ f: HostFacts) -> Bool {
        ["GenuineIntel", "CentaurHauls", "  Shanghai  ", "GenuineIotel"].contains(f.identity.vendor ?? "")
    }

    static func isAMDLike(_ f: HostFacts) -> Bool {
        ["AuthenticAMD", "HygonGenuine"].contains(f.identity.vendor ?? "")
    }

    static func cpuidEvidence(_ f: HostFacts, _ bit: String, _ name: String) -> EvidenceItem {
        let value = f.features[name].map { $0 ? "1" : "0" } ?? "not read"
        return EvidenceItem(source: bit, detail: "\(name) = \(value)")
    }

    static func hypervisorEvidence(_ f: HostFacts) -> EvidenceItem {
        EvidenceItem(source: "CPUID.01H:ECX[31], CPUID.40000000H",
                     detail: f.hypervisor.present ? "hypervisor present: \(f.hypervisor.name ?? f.hypervisor.signature ?? "unknown signature")" : "no hypervisor bit")
    }

    static func vmx(_ f: HostFacts) -> Finding {
        let id = "cpu.vmx", title = "Intel VT-x (VMX) offered by the CPU"
        let ev = [cpuidEvidence(f, "CPUID.01H:ECX[5]", "vmx"), hypervisorEvidence(f)]
        if f.features["vmx"] == true {
            return Finding(id: id, status: .pass, title: title, summary: "CPUID reports VMX.", evidence: ev)
        }
        guard !isAMDLike(f) else {
            return Finding(id: id, status: .notApplicable, title: title, summary: "AMD CPU: AMD-V (SVM) is the equivalent.", evidence: ev)
        }
        if f.features.isEmpty {
            return Finding(id: id, status: .unknown, title: title, summary: "No CPUID or cpuinfo evidence was available.", evidence: ev,
                           remediation: "Give a `cpuid -r` dump or /proc/cpuinfo with --from, or run on the host.")
        }
        if f.hypervisor.present {
            return Finding(id: id, status: .warn, title: title,
                           summary: "VMX is hidden by the outer hypervisor (\(f.hypervisor.name ?? "unknown")), not necessarily missing from the CPU.",
                           evidence: ev, remediation: "Enable nested virtualization in the outer hypervisor, or use a software KVM backend such as kvm_pvm.")
        }
        return Finding(id: id, status: isIntelLike(f) ? .fail : .notApplicable, title: title,
                       summary: "CPUID does not report VMX.", evidence: ev,
                       remediation: "Enable Intel Virtualization Technology in the firmware setup; if it is enabled, this CPU model has no VT-x.")
    }

    static func svm(_ f: HostFacts) -> Finding {
        let id = "cpu.svm", title = "AMD-V (SVM) offered by the CPU"
        var ev = [cpuidEvidence(f, "CPUID.80000001H:ECX[2]", "svm"), hypervisorEvidence(f)]
        if f.features["svm"] == true, f.svm != nil {
            if let disabled = f.svm?.disabledByBios {
                ev.append(EvidenceItem(source: "MSR 0xC0010114 (VM_CR)", detail: "SVMDIS = \(disabled ? 1 : 0)"))
                if disabled {
                    return Finding(id: id, status: .fail, title: title, summary: "The CPU has SVM but firmware disabled it (VM_CR.SVMDIS).",
                                   evidence: ev, remediation: "Enable SVM Mode / AMD-V in the firmware setup.")
                }
            }
            return Finding(id: id, status: .pass, title: title, summary: "CPUID reports SVM.", evidence: ev)
        }
        guard !isIntelLike(f) else {
            return Finding(id: id, status: .notApplicable, title: title, summary: "Intel-compatible CPU: VT-x (VMX) is the equivalent.", evidence: ev)
        }
        if f.features.isEmpty {
            return Finding(id: id, status: .unknown, title: title, summary: "No CPUID or cpuinfo evidence was available.", evidence: ev,
                           remediation: "Give a `cpuid -r` dump or /proc/cpuinfo with --from, or run on the host.")
        }
        if f.hypervisor.present {
            return Finding(id: id, status: .warn, title: title,
                           summary: "SVM is hidden by the outer hypervisor (\(f.hypervisor.name ?? "unknown")), not necessarily missing from the CPU.",
                           evidence: ev, remediation: "Enable nested virtualization in the outer hypervisor, or use a software KVM backend such as kvm_pvm.")
        }
        return Finding(id: id, status: isAMDLike(f) ? .fail : .notApplicable, title: title, summary: "CPUID does not report SVM.", evidence: ev,
                       remediation: "Enable SVM Mode in the firmware setup; if it is enabled, this CPU model has no AMD-V.")
    }

    static func kvmDevice(_ f: HostFacts, _ source: SourceInfo) -> Finding {
        let id = "kvm.device", title = "/dev/kvm exists"
        guard let present = f.kvm.device.present else {
            return Finding(id: id, status: .unknown, title: title, summary: "The input holds no /dev/kvm evidence (captured files, not a live host).",
                           evidence: [EvidenceItem(source: "input", detail: "no kvm section")], remediation: "Run `virtcheck check` on the host itself.")
        }
        let ev = [EvidenceItem(source: "/dev/kvm", detail: present ? "present" : "absent"),
                  EvidenceItem(source: "/sys/module", detail: "KVM backend module: \(f.kvm.backend ?? "none loaded")")]
        if present { return Finding(id: id, status: .pass, title: title, summary: "/dev/kvm is present.", evidence: ev) }
        return Finding(id: id, status: .fail, title: title, summary: "/dev/kvm does not exist: no KVM backend is loaded.", evidence: ev,
                       remediation: "Load the backend for this CPU (`modprobe kvm_intel` or `modprobe kvm_amd`) after enabling VT-x/AMD-V in firmware.")
    }

    static func kvmAccessible(_ f: HostFacts, _ source: SourceInfo) -> Finding {
        let id = "kvm.accessible", title = "This user can open /dev/kvm"
        guard f.kvm.device.present == true else {
            return Finding(id: id, status: f.kvm.device.present == false ? .notApplicable : .unknown, title: title,
                           summary: "No /dev/kvm to open.", evidence: [])
        }
        guard let accessible = f.kvm.device.accessible else {
            return Finding(id: id, status: .unknown, title: title, summary: "Not tried: the evidence is a captured tree.", evidence: [],
                           remediation: "Run `virtcheck check` on the host itself.")
        }
        let ev = [EvidenceItem(source: "open(/dev/kvm, O_RDWR)", detail: accessible ? "ok" : "refused")]
        if accessible { return Finding(id: id, status: .pass, title: title, summary: "/dev/kvm opens read-write.", evidence: ev) }
        return Finding(id: id, status: .warn, title: title, summary: "This user may not open /dev/kvm.", evidence: ev,
                       remediation: "Add the user to the device's group (`usermod -aG kvm USER`), or run virtcheck as root.")
    }

    static func kvmAPI(_ f: HostFacts, _ source: SourceInfo) -> Finding {
        let id = "kvm.api", title = "KVM API version 12"
        guard let api = f.kvm.apiVersion else {
            return Finding(id: id, status: .unknown, title: title, summary: "KVM_GET_API_VERSION was not asked (no /dev/kvm access or captured input).",
                           evidence: [], remediation: "Run as a user who can open /dev/kvm.")
        }
        let ev = [EvidenceItem(source: "ioctl(KVM_GET_API_VERSION)", detail: "\(api)")]
        return api == 12
            ? Finding(id: id, status: .pass, title: title, summary: "KVM API version is 12, the stable API.", evidence: ev)
            : Finding(id: id, status: .fail, title: title, summary: "KVM API version is \(api); userspace expects 12.", evidence: ev,
                      remediation: "Use a kernel whose KVM reports API version 12.")
    }

    static func guestRun(_ f: HostFacts, _ source: SourceInfo) -> Finding {
        let id = "kvm.guest-run", title = "A real guest runs through /dev/kvm"
        guard let run = f.kvm.guestRun else {
            let why = source.kind == .live ? (f.kvm.device.accessible == false ? "this user cannot open /dev/kvm" : "the run was skipped (--no-guest)")
                : "captured input cannot run a guest"
            return Finding(id: id, status: .unknown, title: title, summary: "No guest was run: \(why).", evidence: [],
                           remediation: source.kind == .live ? "Run `virtcheck check` without --no-guest, as a user who can open /dev/kvm." : "Run `virtcheck check` on the host itself.")
        }
        var ev = run.runs.map { r in
            EvidenceItem(source: "guest run (\(r.mode))", detail: r.ok ? "ok, returned \(r.observed.map { Hex.format64($0) } ?? "-"), \(r.exits.count) exits" : "failed: \(r.detail ?? "no detail")")
        }
        if let u = run.exitLatencyNs?.userspace { ev.append(EvidenceItem(source: "exit latency (userspace)", detail: "median \(Int(u.median)) ns over \(u.samples) exits")) }
        if let k = run.exitLatencyNs?.inKernel { ev.append(EvidenceItem(source: "exit latency (in-kernel)", detail: "median \(Int(k.median)) ns over \(k.samples) exits")) }
        if run.ok {
            return Finding(id: id, status: .pass, title: title,
                           summary: "Guests ran in \(run.runs.map(\.mode).joined(separator: " and ")) mode through \(f.kvm.backend ?? "KVM").", evidence: ev)
        }
        if let error = run.error { ev.append(EvidenceItem(source: "guest run", detail: error)) }
        return Finding(id: id, status: .fail, title: title,
                       summary: run.timedOut ? "The guest run did not finish within its time limit." : "The guest run failed: \(run.error ?? "see evidence").",
                       evidence: ev, remediation: "Check `dmesg` for KVM errors; make sure VT-x/AMD-V is enabled in firmware and the backend module is loaded.")
    }

    static func nested(_ f: HostFacts, _ source: SourceInfo) -> Finding {
        let id = "kvm.nested", title = "Guests can be given VT-x/AMD-V (nested virtualization)"
        var ev: [EvidenceItem] = []
        if let enabled = f.kvm.nested.enabled { ev.append(EvidenceItem(source: "/sys/module/\(f.kvm.backend ?? "kvm_*")/parameters/nested", detail: enabled ? "Y" : "N")) }
        guard let vmx = f.kvm.nested.vmx, let svm = f.kvm.nested.svm else {
            return Finding(id: id, status: .unknown, title: title, summary: "KVM_GET_SUPPORTED_CPUID was not read.", evidence: ev,
                           remediation: source.kind == .live ? "Run as a user who can open /dev/kvm." : "Run `virtcheck check` on the host itself.")
        }
        ev.append(EvidenceItem(source: "KVM_GET_SUPPORTED_CPUID", detail: "VMX \(vmx ? "offered" : "not offered"), SVM \(svm ? "offered" : "not offered")"))
        if vmx || svm {
            return Finding(id: id, status: .pass, title: title, summary: "KVM offers \(vmx ? "VT-x" : "AMD-V") to its guests.", evidence: ev)
        }
        let remedy = f.kvm.backend == "kvm_intel" || f.kvm.backend == "kvm_amd"
            ? "Load \(f.kvm.backend!) with nested=1 (e.g. `options \(f.kvm.backend!) nested=1` in /etc/modprobe.d)."
            : "The backend \(f.kvm.backend ?? "in use") cannot give guests VT-x/AMD-V; a hardware backend (kvm_intel/kvm_amd) is needed."
        return Finding(id: id, status: .fail, title: title,
                       summary: "Guests cannot be given VT-x/AMD-V: KVM_GET_SUPPORTED_CPUID has neither VMX nor SVM.", evidence: ev, remediation: remedy)
    }
}
