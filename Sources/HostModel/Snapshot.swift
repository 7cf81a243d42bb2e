/// Raw evidence about one host, exactly as read, each piece with its source and status.
/// `virtcheck capture` writes it; analysing it anywhere gives the same assessment as on the host.
///
/// JSON keys are snake_case through the coders' key strategies (`SnapshotCoding`), so no
/// Codable type in a snapshot holds a String-keyed dictionary (its keys would be rewritten).
public struct Snapshot: Codable, Sendable, Hashable {
    public static let currentVersion = 1

    public var snapshotVersion: Int
    public var tool: ToolInfo
    public var source: SourceInfo
    public var host: HostEvidence
    public var cpuid: CPUIDEvidence?
    public var cpuinfo: TextEvidence?
    public var lscpu: TextEvidence?
    public var msrs: MSREvidence?
    public var kernel: KernelEvidence?
    public var kvm: KVMEvidence?
    public var pci: PCIEvidence?
    public var iommu: IOMMUEvidence?
    /// What the unprivileged-sensitive instructions did at CPL3 (Popek-Goldberg evidence); nil
    /// when not run (offline input, `--no-guest`, snapshots from before the probes existed).
    public var cpl3Probes: Cpl3ProbeEvidence?
    /// The files, directories and device nodes the rules declare (`EvidencePlan`): vhost and tun
    /// nodes, cgroups, namespaces, hugepages, KSM, THP, NUMA, meminfo, modules, SEV parameters.
    /// nil in offline input and in snapshots from before they were read (those still load).
    public var files: [HostFileEvidence]?
    /// The kernel log lines virtcheck recognises (`KernelMessage`), verbatim, from a pasted dmesg
    /// or journalctl -k; nil when none was given (the live probe reads sysfs instead).
    public var kernelLog: TextEvidence?

    public init(source: SourceInfo, host: HostEvidence = HostEvidence(root: nil, onlineCpus: nil, capturedAt: nil),
                cpuid: CPUIDEvidence? = nil, cpuinfo: TextEvidence? = nil, lscpu: TextEvidence? = nil,
                msrs: MSREvidence? = nil, kernel: KernelEvidence? = nil, kvm: KVMEvidence? = nil,
                pci: PCIEvidence? = nil, iommu: IOMMUEvidence? = nil, cpl3Probes: Cpl3ProbeEvidence? = nil,
                files: [HostFileEvidence]? = nil, kernelLog: TextEvidence? = nil) {
        snapshotVersion = Snapshot.currentVersion
        tool = ToolInfo()
        self.source = source
        self.host = host
        self.cpuid = cpuid
        self.cpuinfo = cpuinfo
        self.lscpu = lscpu
        self.msrs = msrs
        self.kernel = kernel
        self.kvm = kvm
        self.pci = pci
        self.iommu = iommu
        self.cpl3Probes = cpl3Probes
        self.files = files
        self.kernelLog = kernelLog
    }
}
