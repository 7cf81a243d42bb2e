/// Everything read about DMA and interrupt isolation: groups, units, the firmware's ACPI
/// DMAR/IVRS tables, /proc/interrupts (interrupt remapping shows as `IR-` chips without root),
/// the kernel command line and VFIO.
public struct IOMMUEvidence: Codable, Sendable, Hashable {
    /// Listing /sys/kernel/iommu_groups; `ok` with no groups means no IOMMU is active.
    public var groupsStatus: EvidenceStatus
    public var groupsDetail: String?
    public var groups: [IOMMUGroupEvidence]
    /// Listing /sys/class/iommu (`absent` when the kernel registered no IOMMU).
    public var unitsStatus: EvidenceStatus
    public var units: [IOMMUUnitEvidence]
    /// /sys/firmware/acpi/tables/DMAR and IVRS (root-only files; `absent` when firmware has none).
    public var dmar: BinaryEvidence
    public var ivrs: BinaryEvidence
    public var interrupts: TextEvidence
    public var commandLine: TextEvidence
    public var vfio: VFIOEvidence
    /// The kernel's DMAR / AMD-Vi / IOMMU log lines (dmesg), where the input carried them (an IOMMU
    /// listing pasted with `dmesg | grep -i -e DMAR -e IOMMU`); nil otherwise and in older snapshots.
    public var kernelLog: TextEvidence?

    public init(groupsStatus: EvidenceStatus, groupsDetail: String? = nil, groups: [IOMMUGroupEvidence],
                unitsStatus: EvidenceStatus, units: [IOMMUUnitEvidence], dmar: BinaryEvidence, ivrs: BinaryEvidence,
                interrupts: TextEvidence, commandLine: TextEvidence, vfio: VFIOEvidence, kernelLog: TextEvidence? = nil) {
        self.groupsStatus = groupsStatus
        self.groupsDetail = groupsDetail
        self.groups = groups
        self.unitsStatus = unitsStatus
        self.units = units
        self.dmar = dmar
        self.ivrs = ivrs
        self.interrupts = interrupts
        self.commandLine = commandLine
        self.vfio = vfio
        self.kernelLog = kernelLog
    }
}
