/// Everything decoded from one snapshot: pure data, no I/O. Rules read only this.
public struct HostFacts: Codable, Sendable, Hashable {
    public var identity: CPUIdentity
    public var hypervisor: HypervisorFacts
    /// Virtualization-relevant CPUID bits by name (`vmx`, `svm`, `smx`, `hypervisor`, `umip`, ...).
    /// Empty when no CPUID was available (then `kernelFlags` may still speak).
    public var features: [String: Bool]
    /// The cpuinfo `flags` of processor 0, where read.
    public var kernelFlags: [String]?
    /// The cpuinfo `vmx flags` line, where present.
    public var kernelVmxFlags: [String]?
    public var vmx: VMXFacts?
    public var svm: SVMFacts?
    public var sev: SEVFacts?
    public var kvm: KVMFacts
    /// Logical CPUs whose CPUID differs from CPU 0 in a feature bit (name and CPUs).
    public var cpuDifferences: [String]
    /// CPUs lacking a feature another CPU has (per CPUID and per cpuinfo processor).
    public var holdouts: CPUHoldouts
    public var kernelRelease: String?
    public var root: Bool?
    /// The kvm* modules with their parameters (kvm_amd `sev_snp`, kvm_intel `ept`, `tdx`, ...);
    /// nil when the kernel was not read (a CPUID dump).
    public var kernelModules: [KernelModule]?
    /// Whether /dev/sev (the AMD PSP driver's node, needed for SEV guests) exists; nil when not looked at.
    public var sevDevice: Bool?
    /// The MSR reads of the first CPU as made, values and failures (denied, absent, unsupported),
    /// so rules can say why an MSR is missing; nil when the input had no MSR evidence at all.
    public var msrs: [MSRRead]?

    /// IOMMU units, groups and switches; `enabled` nil when no IOMMU evidence was collected.
    public var iommu: IOMMUFacts
    /// PCI functions; `passthrough` is filled in by the passthrough rules.
    public var pci: PCIFacts
    /// The host's CPL3 instruction probes as recorded; nil when not run.
    public var cpl3Probes: Cpl3ProbeEvidence?
    /// The declared files, directories and device nodes as read (`Snapshot.files`); nil when
    /// the input had none (offline files, older snapshots).
    public var files: [HostFileEvidence]?
    /// lscpu's `Virtualization:` value (`VT-x`, `AMD-V`), where lscpu output was the input.
    public var lscpuVirtualization: String?
    /// What Xen says about this domain (control domain, HVM ability); nil when nothing was read.
    public var xen: XenFacts?
    /// Processor cores (per package, and sockets where known); nil when no input tells.
    public var cores: CoreCount?
    /// The cpuinfo or lscpu copies the input held but that could not be used, each as
    /// `SOURCE[:LINE]: why`: a rule left without CPU evidence says so instead of "none given".
    public var unusableCPUText: [String]?

    public init(identity: CPUIdentity, hypervisor: HypervisorFacts, features: [String: Bool], kernelFlags: [String]?,
                kernelVmxFlags: [String]?, vmx: VMXFacts?, svm: SVMFacts?, sev: SEVFacts?, kvm: KVMFacts,
                cpuDifferences: [String], kernelRelease: String?, root: Bool?, iommu: IOMMUFacts = .notCollected, pci: PCIFacts = .notCollected,
                kernelModules: [KernelModule]? = nil, sevDevice: Bool? = nil, msrs: [MSRRead]? = nil,
                cpl3Probes: Cpl3ProbeEvidence? = nil, holdouts: CPUHoldouts = .none, files: [HostFileEvidence]? = nil,
                lscpuVirtualization: String? = nil, xen: XenFacts? = nil) {
        self.identity = identity
        self.hypervisor = hypervisor
        self.features = features
        self.kernelFlags = kernelFlags
        self.kernelVmxFlags = kernelVmxFlags
        self.vmx = vmx
        self.svm = svm
        self.sev = sev
        self.kvm = kvm
        self.cpuDifferences = cpuDifferences
        self.kernelRelease = kernelRelease
        self.root = root
        self.iommu = iommu
        self.pci = pci
        self.kernelModules = kernelModules
        self.sevDevice = sevDevice
        self.msrs = msrs
        self.cpl3Probes = cpl3Probes
        self.holdouts = holdouts
        self.files = files
        self.lscpuVirtualization = lscpuVirtualization
        self.xen = xen
        cores = nil
        unusableCPUText = nil
        kernelModuleNames = nil
    }

    /// Every module in /sys/module (not only the kvm* ones); nil when the kernel was not read.
    public var kernelModuleNames: [String]?

    /// The kernel log lines virtcheck recognised in a pasted dmesg; nil when none was given.
    public var kernelLog: [KernelLogEntry]?

    /// The recognised log lines saying `what`, for rules that cite them.
    public func logged(_ what: (KernelMessage) -> Bool) -> [KernelLogEntry] {
        kernelLog?.filter { what($0.message) } ?? []
    }

    /// The declared file, directory or node at `path`, as read; nil when not collected.
    public func file(_ path: String) -> HostFileEvidence? {
        files?.first { $0.path == path }
    }

    /// The read of one MSR on the first CPU, whatever its status.
    public func msr(_ index: UInt32) -> MSRRead? {
        msrs?.first { $0.index == index }
    }

    /// A kvm* module's parameter as read; nil when the module is not loaded or the kernel not read.
    public func moduleParameter(_ module: String, _ name: String) -> String? {
        kernelModules?.first { $0.name == module }?.parameter(name)
    }
}
