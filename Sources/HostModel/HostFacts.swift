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
    public var kernelRelease: String?
    public var root: Bool?
    /// IOMMU units, groups and switches; `enabled` nil when no IOMMU evidence was collected.
    public var iommu: IOMMUFacts
    /// PCI functions; `passthrough` is filled in by the passthrough rules.
    public var pci: PCIFacts

    public init(identity: CPUIdentity, hypervisor: HypervisorFacts, features: [String: Bool], kernelFlags: [String]?,
                kernelVmxFlags: [String]?, vmx: VMXFacts?, svm: SVMFacts?, sev: SEVFacts?, kvm: KVMFacts,
                cpuDifferences: [String], kernelRelease: String?, root: Bool?, iommu: IOMMUFacts, pci: PCIFacts) {
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
    }
}
