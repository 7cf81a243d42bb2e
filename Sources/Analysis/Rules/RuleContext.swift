import HostModel

/// What every rule reads: the facts, where they came from, and the data tables. Also the small
/// judgements several rule families share (vendor, which evidence exists, why an MSR is missing),
/// so each family says them the same way.
struct RuleContext: Sendable {
    let facts: HostFacts
    let source: SourceInfo
    let catalogue: RuleCatalogue
    let models: CPUModelTable
    /// The analysis the Popek–Goldberg rules judge, made once: the assessment reports the same one.
    let popekGoldberg: PopekGoldbergAnalysis

    init(facts: HostFacts, source: SourceInfo, popekGoldberg: PopekGoldbergAnalysis? = nil,
         catalogue: RuleCatalogue = .builtIn, models: CPUModelTable = .builtIn) {
        self.facts = facts
        self.source = source
        self.popekGoldberg = popekGoldberg ?? PopekGoldbergAnalyzer.analyze(facts)
        self.catalogue = catalogue
        self.models = models
    }

    /// Builds a finding whose title and remediation come from the catalogue.
    func finding(_ id: String, subject: String? = nil, _ status: FindingStatus, _ summary: String,
                 evidence: [EvidenceItem] = [], remedy situation: String? = nil) -> Finding {
        Finding(id: id, subject: subject, status: status, title: catalogue.rule(id)?.title ?? id, summary: summary,
                evidence: evidence, remediation: situation.map { catalogue.remediation(id, $0, backend: facts.kvm.backend) })
    }

    var isIntelLike: Bool {
        ["GenuineIntel", "CentaurHauls", "  Shanghai  ", "GenuineIotel"].contains(facts.identity.vendor ?? "")
    }

    var isAMDLike: Bool {
        ["AuthenticAMD", "HygonGenuine"].contains(facts.identity.vendor ?? "")
    }

    /// Whether CPUID itself was read (a dump or the instruction), not only cpuinfo flags: only
    /// CPUID leaf 1 gives the processor signature.
    var cpuidRead: Bool { facts.identity.signature != nil }

    /// `summary` for a rule left without CPU evidence, with why the cpuinfo or lscpu copy the
    /// input held could not be used, where that is the reason (`HostFacts.unusableCPUText`).
    func withoutCPUEvidence(_ summary: String) -> String {
        guard let unusable = facts.unusableCPUText, !unusable.isEmpty else { return summary }
        return summary + " Present but unusable: " + unusable.joined(separator: "; ") + "."
    }

    /// Whether this input came from the host itself (live, or a captured tree read the live way).
    var fromHost: Bool { source.kind == .live || source.kind == .root }

    func cpuidEvidence(_ bit: String, _ name: String) -> EvidenceItem {
        if !cpuidRead, let flags = facts.kernelFlags {
            return EvidenceItem(source: "cpuinfo flags: \(name)", detail: flags.contains(name) ? "present" : "absent")
        }
        if !cpuidRead, let virtualization = facts.lscpuVirtualization {
            return EvidenceItem(source: "lscpu Virtualization", detail: virtualization)
        }
        let value = facts.features[name].map { $0 ? "1" : "0" } ?? "not read"
        return EvidenceItem(source: bit, detail: "\(name) = \(value)")
    }

    var hypervisorEvidence: EvidenceItem {
        let h = facts.hypervisor
        var detail = h.present ? "hypervisor bit set" : "hypervisor bit clear"
        if let signature = h.signature { detail += ", signature \"\(signature)\"\(h.name.map { " (\($0))" } ?? "")" }
        if let root = h.hyperVRootPartition { detail += root ? ", root partition (CreatePartitions)" : ", guest partition" }
        return EvidenceItem(source: "CPUID.01H:ECX[31], CPUID.40000000H", detail: detail)
    }

    /// The catalogue situation for "an outer hypervisor hides VT-x/AMD-V", by which hypervisor it is.
    var hiddenSituation: String {
        // Xen's dom0 may show only the hypervisor flag (cpuinfo), yet Xen itself said what it is.
        if facts.xen?.controlDomain == true { return "hidden-xen-dom0" }
        return switch facts.hypervisor.signature ?? "" {
        case "KVMKVMKVM", "Linux KVM Hv": "hidden-kvm"
        case HyperVPartition.signature: facts.hypervisor.hyperVRootPartition == true ? "hidden-hyperv-root" : "hidden-hyperv-guest"
        case "VMwareVMware": "hidden-vmware"
        case "XenVMMXenVMM": "hidden-xen"
        case "VBoxVBoxVBox": "hidden-virtualbox"
        default: "hidden-other"
        }
    }

    var hypervisorName: String {
        facts.hypervisor.name ?? facts.hypervisor.signature.map { "\"\($0)\"" } ?? (facts.xen?.hypervisorType == "xen" ? "Xen" : nil)
            ?? "an unidentified hypervisor"
    }

    /// A KVM backend that runs guests without VT-x/AMD-V (kvm_pvm), when loaded.
    var softwareBackend: String? {
        guard let backend = facts.kvm.backend, !["kvm_intel", "kvm_amd"].contains(backend) else { return nil }
        return backend
    }

    /// Why an MSR value is missing, for the summary; nil when it was read.
    func msrMissingReason(_ index: UInt32) -> String? {
        let name = "MSR \(Hex.format32(index))"
        guard let read = facts.msr(index) else {
            return facts.msrs == nil ? "\(name) was not read (the input has no MSR evidence)" : "\(name) was not read"
        }
        switch read.status {
        case .ok: return nil
        case .denied: return "\(name) could not be read: permission denied (needs root)"
        case .absent: return "\(name) could not be read: /dev/cpu/N/msr is missing (the msr driver is not loaded)"
        case .unsupported: return "\(name) does not exist on this CPU"
        case .error: return "\(name) could not be read: \(read.detail ?? "error")"
        }
    }

    /// The remediation situation for a missing MSR: on the host, load the driver and be root;
    /// offline, bring the listing.
    var msrRemedy: String { fromHost ? "msr-unreadable" : "offline" }

    func msrEvidence(_ index: UInt32, _ name: String, _ detail: String) -> EvidenceItem {
        EvidenceItem(source: "MSR \(Hex.format32(index)) (\(name))", detail: detail)
    }

    /// `major.minor` of the running kernel, when known.
    var kernelVersion: (major: Int, minor: Int)? {
        guard let release = facts.kernelRelease else { return nil }
        let parts = release.asciiDigitRuns().prefix(2).compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    /// A module parameter read as a boolean (`Y`/`N`/`1`/`0`); nil when absent or unreadable.
    func moduleFlag(_ module: String, _ name: String) -> Bool? {
        guard let value = facts.moduleParameter(module, name)?.lowercased() else { return nil }
        if ["y", "1", "on", "true"].contains(value) { return true }
        if ["n", "0", "off", "false"].contains(value) { return false }
        return nil
    }

    func isLoaded(_ module: String) -> Bool? {
        facts.kernelModules.map { modules in modules.contains { $0.name == module } }
    }
}
