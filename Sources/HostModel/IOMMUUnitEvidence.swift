/// One hardware IOMMU from /sys/class/iommu: an Intel remapping unit (`dmarN`, with
/// `intel-iommu/{cap,ecap,version}`) or an AMD one (`ivhdN`, with `amd-iommu/{cap,features}`),
/// values kept as the kernel prints them.
public struct IOMMUUnitEvidence: Codable, Sendable, Hashable {
    public var name: String
    /// `intel-iommu`, `amd-iommu`, or the name of whatever subdirectory another driver made.
    public var driver: String?
    public var cap: String?
    public var ecap: String?
    public var version: String?
    /// AMD: the extended feature register(s), `EFR` or `EFR:EFR2`.
    public var features: String?
    /// PCI addresses in `devices/`.
    public var devices: [String]

    public init(name: String, driver: String?, cap: String? = nil, ecap: String? = nil, version: String? = nil,
                features: String? = nil, devices: [String] = []) {
        self.name = name
        self.driver = driver
        self.cap = cap
        self.ecap = ecap
        self.version = version
        self.features = features
        self.devices = devices
    }
}
