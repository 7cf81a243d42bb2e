import HostModel

/// Turns a snapshot's raw evidence into typed facts. Pure: the same snapshot gives the same
/// facts on any machine, which is what makes offline analysis equal to a live run.
public enum FactsDecoder {
    public static func decode(_ s: Snapshot) -> HostFacts {
        let table = s.cpuid?.cpus.first
        let texts = cpuTexts(s)
        let cpuinfo = texts.cpuinfo, lscpu = texts.lscpu
        let first = cpuinfo?.processors.first
        let kernelFlags = first?.list("flags") ?? lscpu?.value("Flags").map { $0.split(ascii: " ").map(String.init) }
        let vmxFlags = first?.list("vmx flags")

        var identity = table.map(CPUIDDecoder.identity) ?? CPUIdentity()
        fillIdentity(&identity, cpuinfo: first, lscpu: lscpu)
        // DESIGN.md: online CPUs, else processors in cpuinfo, else CPUs in the dump, else null.
        // A source that lists no CPU (an absent CPUID read, a cpuinfo without `processor` lines)
        // says nothing about the count: it falls through instead of claiming 0 CPUs.
        let counts = [s.host.onlineCpus?.count, cpuinfo?.processors.count, s.cpuid?.cpus.count,
                      lscpu?.value("CPU(s)").flatMap { Int($0) }]
        identity.logicalCpus = counts.lazy.compactMap { $0 }.first { $0 > 0 }

        var features = table.map(CPUIDDecoder.features) ?? [:]
        let lscpuVirtualization = lscpu?.value("Virtualization")
        if table == nil, let flags = kernelFlags {
            // Without CPUID the kernel's flags are the best evidence; Linux clears `vmx` when
            // firmware disabled VT-x, so this reads "usable", not "present in silicon".
            let set = Set(flags)
            for name in ["vmx", "svm", "smx", "hypervisor", "umip"] { features[name] = set.contains(name) }
        } else if table == nil, let virtualization = lscpuVirtualization {
            // lscpu without a Flags line (older util-linux on some distributions prints none) still
            // says `Virtualization: VT-x|AMD-V`, which it takes from the same cpuinfo flags.
            switch virtualization {
            case "VT-x": features["vmx"] = true
            case "AMD-V": features["svm"] = true
            default: break
            }
        }
        var hypervisor = table.map(CPUIDDecoder.hypervisor) ?? HypervisorFacts(present: features["hypervisor"] ?? false)
        if table == nil, let vendor = lscpu?.value("Hypervisor vendor") {
            hypervisor.name = vendor
        }
        if let table { hypervisor.hyperVRootPartition = HyperVPartition.isRoot(table, hypervisor: hypervisor) }

        let cpu0MSRs = s.msrs?.cpus.first
        let vmx = VMXDecoder.decode(cpuHasVMX: features["vmx"] ?? false, msrs: cpu0MSRs, vmxFlags: vmxFlags)
        let svm = (features["svm"] ?? false) ? table.flatMap { CPUIDDecoder.svm($0, vmcr: cpu0MSRs?.value(0xC001_0114)) } : nil
        let sev = table.flatMap(CPUIDDecoder.sev)

        // Each CPU's features decoded once, for the differences and the holdouts (one CPU: none).
        let perCPU = (s.cpuid?.cpus.count ?? 0) > 1 ? (s.cpuid?.cpus ?? []).map(CPUIDDecoder.features) : []
        let iommu = IOMMUDecoder.facts(iommu: s.iommu, pci: s.pci, cpuVendor: identity.vendor)
        var facts = HostFacts(
            identity: identity, hypervisor: hypervisor, features: features, kernelFlags: kernelFlags,
            kernelVmxFlags: vmxFlags, vmx: vmx, svm: svm, sev: sev, kvm: kvm(s),
            cpuDifferences: differences(s.cpuid, decoded: perCPU), kernelRelease: s.kernel?.release, root: s.host.root,
            iommu: iommu, pci: PCIDecoder.facts(pci: s.pci, iommu: iommu),
            kernelModules: s.kernel?.modules, sevDevice: s.kernel?.sevDevicePresent, msrs: cpu0MSRs?.reads,
            cpl3Probes: s.cpl3Probes, holdouts: holdouts(s.cpuid, decoded: perCPU, cpuinfo, s.msrs), files: s.files,
            lscpuVirtualization: lscpuVirtualization, xen: xen(s.kernel, lscpu: lscpu))
        facts.kernelModuleNames = s.kernel?.loadedModules
        facts.cores = CoreCountDecoder.decode(table: table, vendor: identity.vendor, cpuinfo: cpuinfo, lscpu: lscpu)
        facts.unusableCPUText = texts.unusable.isEmpty ? nil : texts.unusable
        if let text = s.kernelLog?.text {
            let entries = KernelLogParser.entries(text)
            facts.kernelLog = entries
            if facts.kernelRelease == nil {
                facts.kernelRelease = entries.lazy.compactMap { if case .kernelVersion(let v) = $0.message { v } else { nil } }.first
            }
        }
        return facts
    }

    /// A snapshot's cpuinfo and lscpu copies, decoded, and why each one present could not be.
    public struct CPUTexts: Sendable {
        public var cpuinfo: CPUInfo?
        public var lscpu: LSCPU?
        /// `SOURCE[:LINE]: why` for each copy that was there but could not be used.
        public var unusable: [String] = []
    }

    /// Decodes the cpuinfo and lscpu copies of a snapshot or `--root` tree. A copy that does not
    /// parse, or that the probe could not read (a FIFO, a denied file), is missing evidence with a
    /// reason: the rules' "unknown" names it, where it used to be dropped without a word. (A loose
    /// `--from` file that does not parse is refused whole, exit 2: it is the entire input.)
    public static func cpuTexts(_ s: Snapshot) -> CPUTexts {
        var result = CPUTexts()
        func unusable(_ evidence: TextEvidence) {
            if evidence.status != .ok && evidence.status != .absent, let detail = evidence.detail {
                result.unusable.append("\(evidence.source): \(detail)")
            }
        }
        if let evidence = s.cpuinfo {
            if let text = evidence.text {
                do { result.cpuinfo = try CPUInfo.parse(text, source: evidence.source) } catch { result.unusable.append(error.description) }
            } else {
                unusable(evidence)
            }
        }
        if let evidence = s.lscpu {
            if let text = evidence.text {
                do { result.lscpu = try LSCPU.parse(text, source: evidence.source) } catch { result.unusable.append(error.description) }
            } else {
                unusable(evidence)
            }
        }
        return result
    }

    /// Space, tab, LF, VT, FF or CR: what separates the words of the kernel's Xen files.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || (0x09...0x0D).contains(byte)
    }

    /// Xen's words from the kernel evidence, or lscpu's reading of them; nil when none was there.
    static func xen(_ k: KernelEvidence?, lscpu: LSCPU?) -> XenFacts? {
        var control = k?.xenCapabilities.flatMap { $0.status == .ok ? $0.text : nil }
            .map { $0.split(asciiWhere: { $0 == UInt8(ascii: ",") || isWhitespace($0) }).contains("control_d") }
        var source = control == nil ? nil : "/proc/xen/capabilities"
        if control == nil, lscpu?.value("Hypervisor vendor") == "Xen", let type = lscpu?.value("Virtualization type") {
            control = type == "none"
            source = "lscpu"
        }
        let facts = XenFacts(controlDomain: control, controlDomainSource: source, hypervisorType: k?.hypervisorType.flatMap { $0.isEmpty ? nil : $0 },
                             capabilities: k?.hypervisorCapabilities.map { $0.split(asciiWhere: isWhitespace).map(String.init) },
                             guestType: k?.hypervisorGuestType.flatMap { $0.isEmpty ? nil : $0 })
        return facts.isEmpty ? nil : facts
    }

    static func fillIdentity(_ id: inout CPUIdentity, cpuinfo: CPUInfo.Processor?, lscpu: LSCPU?) {
        if id.vendor == nil { id.vendor = cpuinfo?.value("vendor_id") ?? lscpu?.value("Vendor ID") }
        if id.family == nil { id.family = (cpuinfo?.value("cpu family") ?? lscpu?.value("CPU family")).flatMap { Int($0) } }
        if id.model == nil { id.model = (cpuinfo?.value("model") ?? lscpu?.value("Model")).flatMap { Int($0) } }
        if id.stepping == nil { id.stepping = (cpuinfo?.value("stepping") ?? lscpu?.value("Stepping")).flatMap { Int($0) } }
        if id.brand == nil { id.brand = cpuinfo?.value("model name") ?? lscpu?.value("Model name") }
    }

    /// The KVM backends: modules that register with kvm. Order matters only for display.
    static let hardwareBackends = ["kvm_intel", "kvm_amd"]

    static func kvm(_ s: Snapshot) -> KVMFacts {
        let modules = s.kernel?.modules ?? []
        let backend = modules.map(\.name).first { $0.hasPrefix("kvm_") }
        let nestedParam = backend.flatMap { name in modules.first { $0.name == name }?.parameter("nested") }
        let nestedEnabled = nestedParam.map { ["y", "1"].contains($0.lowercased()) }
        let supported = s.kvm?.supportedCpuid.map { CPUIDTable(cpu: 0, leaves: $0) }
        let nested = KVMFacts.Nested(
            enabled: nestedEnabled,
            vmx: supported.map { $0.leaf(1).map { ($0.ecx >> 5) & 1 == 1 } ?? false },
            svm: supported.map { $0.leaf(0x8000_0001).map { ($0.ecx >> 2) & 1 == 1 } ?? false })
        var caps: [String: Int] = [:]
        // The names become JSON keys (schema: `^[a-z0-9_]+$`); KVM's are always of that shape
        // (KVM_CAP_* lower-cased), so one that is not came from an edited snapshot and is dropped.
        for c in s.kvm?.capabilities ?? [] where !c.name.isEmpty && c.name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) {
            caps[c.name] = c.value
        }
        return KVMFacts(
            // A node virtcheck could not even stat for its own reasons is neither present nor absent.
            device: KVMFacts.Device(present: s.kvm?.device.ownLimit != nil && s.kvm?.device.present == false ? nil : s.kvm?.device.present,
                                    accessible: s.kvm?.device.accessible),
            apiVersion: s.kvm?.apiVersion, backend: backend, nested: nested, capabilities: caps,
            guestRun: s.kvm?.guestRun, openOwnLimit: s.kvm?.device.ownLimit)
    }

    /// Per feature, the CPUs lacking what another CPU has: from every CPU's CPUID, from every
    /// cpuinfo processor's `flags` and `vmx flags`, and from every CPU's MSRs.
    static func holdouts(_ cpuid: CPUIDEvidence?, decoded: [[String: Bool]], _ cpuinfo: CPUInfo?, _ msrs: MSREvidence?) -> CPUHoldouts {
        var result = CPUHoldouts.none
        result.msr = MSRComparison.differences(msrs)
        if let cpus = cpuid?.cpus, cpus.count > 1 {
            result.cpuid = lacking(zip(cpus.map(\.cpu), decoded.map { Set($0.filter(\.value).map(\.key)) }))
        }
        if let processors = cpuinfo?.processors, processors.count > 1 {
            let numbers = processors.enumerated().map { Int($0.element.value("processor") ?? "") ?? $0.offset }
            let flags = processors.map { Set(($0.list("flags") ?? []) + ($0.list("vmx flags") ?? [])) }
            result.cpuinfo = lacking(zip(numbers, flags))
        }
        return result
    }

    /// The features compared across CPUs: those whose rules KVM checks on every CPU (VT-x, AMD-V
    /// and the capabilities the rules read). A fixed set keeps the work linear in the CPU count
    /// whatever names a hostile cpuinfo invents.
    static let comparedFeatures = ["vmx", "svm", "ept", "vpid", "npt", "avic", "unrestricted_guest", "nrip_save"]

    static func lacking(_ cpus: some Sequence<(Int, Set<String>)>) -> [String: [Int]] {
        let all = Array(cpus)
        var out: [String: [Int]] = [:]
        for name in comparedFeatures where all.contains(where: { $0.1.contains(name) }) {
            let missing = all.filter { !$0.1.contains(name) }.map(\.0)
            if !missing.isEmpty { out[name] = missing.sorted() }
        }
        return out
    }

    /// Feature bits in which some CPU disagrees with CPU 0 (hybrid cores, firmware bugs, or a
    /// hypervisor presenting inconsistent vCPUs), as `name: CPUs 2,3`.
    static func differences(_ cpuid: CPUIDEvidence?, decoded: [[String: Bool]]) -> [String] {
        guard let cpus = cpuid?.cpus, cpus.count > 1 else { return [] }
        // Decode each CPU once, not once per feature name.
        let reference = decoded[0]
        var out: [String] = []
        for name in reference.keys.sorted() {
            let differing = zip(cpus, decoded).dropFirst().filter { $0.1[name] != reference[name] }.map(\.0.cpu)
            if !differing.isEmpty {
                out.append("\(name): CPU 0 says \(reference[name] ?? false), CPUs \(differing.map(String.init).joined(separator: ",")) differ")
            }
        }
        return out
    }
}
