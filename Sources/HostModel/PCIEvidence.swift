/// The PCI bus as read from /sys/bus/pci/devices, with names from pci.ids.
public struct PCIEvidence: Codable, Sendable, Hashable {
    /// `/sys/bus/pci/devices`.
    public var source: String
    /// How listing the directory went; `absent` on a machine (or tree) with no PCI bus.
    public var status: EvidenceStatus
    public var detail: String?
    public var devices: [PCIDeviceEvidence]
    /// The name database as libpci names it (`/usr/share/misc/pci.ids.gz` on Debian, which ships it
    /// uncompressed; see `PCINameDatabase.scanPath`), nil when names were not looked up.
    public var namesSource: String?

    public init(source: String = "/sys/bus/pci/devices", status: EvidenceStatus, detail: String? = nil,
                devices: [PCIDeviceEvidence], namesSource: String? = nil) {
        self.source = source
        self.status = status
        self.detail = detail
        self.devices = devices
        self.namesSource = namesSource
    }
}
