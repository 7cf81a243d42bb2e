/// What the live probe reads beyond its fixed sources (CPUID, cpuinfo, KVM, PCI, IOMMU): the union
/// of the rules' declared needs (`EvidenceNeed`). The CLI builds it from the rule catalogue, so a
/// rule that declares MSR 0x1401 gets MSR 0x1401 read on the host, and a new host rule that
/// declares `/dev/vhost-net` gets that node looked at — without a second list to keep in step.
public struct EvidencePlan: Sendable, Hashable {
    /// MSR indices to read on each CPU read, ascending.
    public var msrs: [UInt32]
    /// Files and directories under /proc and /sys to record (`HostFileEvidence`), sorted.
    public var paths: [String]
    /// Device nodes under /dev whose presence to record, sorted.
    public var devices: [String]

    public init(needs: some Sequence<EvidenceNeed>) {
        var msrs = Set<UInt32>(), paths = Set<String>(), devices = Set<String>()
        for need in needs {
            switch need {
            case .msr(let index): msrs.insert(index)
            case .path(let path): paths.insert(path)
            case .device(let node): devices.insert(node)
            // The kernel log is pasted evidence: live, the probe reads the sysfs files it echoes.
            case .cpuid, .cpuinfoFlag, .lscpuField, .ioctl, .probe, .kernelLog: break
            }
        }
        self.msrs = msrs.sorted()
        self.paths = paths.sorted()
        self.devices = devices.sorted()
    }
}
