/// One PCI function as sysfs shows it under /sys/bus/pci/devices/ADDRESS, read raw: the
/// attribute files as text, config space as bytes. Decoding happens in Analysis, so a
/// snapshot analysed elsewhere gives the same verdicts.
public struct PCIDeviceEvidence: Codable, Sendable, Hashable {
    /// `0000:01:00.0` (domain:bus:device.function), the directory name.
    public var address: String
    /// The sysfs `vendor`, `device`, `class` files as read (`0x10de`, `0x030000`); nil when unreadable.
    public var vendor: String?
    public var device: String?
    public var classCode: String?
    /// Names from pci.ids, as libpci gives them; nil where the database has none (e.g. 8086:0d57).
    public var vendorName: String?
    public var deviceName: String?
    public var className: String?
    /// The bound driver (basename of the `driver` link), nil when none is bound.
    public var driver: String?
    /// The group number (basename of the `iommu_group` link), nil when the device is in none.
    public var iommuGroup: String?
    /// `reset_method` (kernel 5.15+): the reset methods the kernel will use, in order; nil when absent.
    public var resetMethod: TextEvidence?
    public var numaNode: String?
    public var enable: String?
    /// `physfn` link target basename, for SR-IOV virtual functions.
    public var physicalFunction: String?
    /// The `config` file: 64 bytes for non-root readers, 256 or 4096 for root.
    public var config: BinaryEvidence

    public init(address: String, vendor: String?, device: String?, classCode: String?, vendorName: String? = nil,
                deviceName: String? = nil, className: String? = nil, driver: String? = nil, iommuGroup: String? = nil,
                resetMethod: TextEvidence? = nil, numaNode: String? = nil, enable: String? = nil,
                physicalFunction: String? = nil, config: BinaryEvidence) {
        self.address = address
        self.vendor = vendor
        self.device = device
        self.classCode = classCode
        self.vendorName = vendorName
        self.deviceName = deviceName
        self.className = className
        self.driver = driver
        self.iommuGroup = iommuGroup
        self.resetMethod = resetMethod
        self.numaNode = numaNode
        self.enable = enable
        self.physicalFunction = physicalFunction
        self.config = config
    }
}
