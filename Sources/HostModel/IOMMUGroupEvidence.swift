/// One directory of /sys/kernel/iommu_groups: the smallest set of devices the IOMMU can isolate
/// from each other, and so the unit VFIO assigns.
public struct IOMMUGroupEvidence: Codable, Sendable, Hashable {
    /// The directory name, `0`, `15`, ...
    public var group: String
    /// PCI addresses in `devices/`, sorted.
    public var devices: [String]
    /// The `type` file: the default domain (`DMA`, `DMA-FQ`, `identity`, `blocked`, `unmanaged`); nil before 5.11.
    public var type: String?

    public init(group: String, devices: [String], type: String?) {
        self.group = group
        self.devices = devices
        self.type = type
    }
}
