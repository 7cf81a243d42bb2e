import HostModel

/// Reads every PCI function under /sys/bus/pci/devices: identity, driver, IOMMU group, reset
/// methods and config space, with names from pci.ids. The same code reads the live host and a
/// `--root` tree; nothing is written (config space is only read, so no device is woken or reset).
public enum PCIProbe {
    static let devicesPath = "/sys/bus/pci/devices"

    public static func probe(root: HostRoot) -> PCIEvidence {
        guard let addresses = root.list(devicesPath)?.filter(IOMMUProbe.visible) else {
            let status: EvidenceStatus = root.exists(devicesPath) ? .error : .absent
            return PCIEvidence(status: status, detail: status == .absent ? "no PCI bus in sysfs" : "cannot list \(devicesPath)",
                               devices: [])
        }
        let names = PCINameDatabase()
        let devices = addresses.map { device(address: $0, root: root, names: names) }
        return PCIEvidence(status: .ok, devices: devices, namesSource: names?.path)
    }

    static func device(address: String, root: HostRoot, names: PCINameDatabase?) -> PCIDeviceEvidence {
        let dir = devicesPath + "/" + address
        let vendor = root.value(dir + "/vendor")
        let device = root.value(dir + "/device")
        let classCode = root.value(dir + "/class")
        let vendorId = vendor.flatMap { Hex.parse32(Substring($0)) }.map(Int.init)
        let deviceId = device.flatMap { Hex.parse32(Substring($0)) }.map(Int.init)
        let classId = classCode.flatMap { Hex.parse32(Substring($0)) }.map { Int($0 >> 8) }
        let reset = root.readText(dir + "/reset_method", limit: 4096)
        return PCIDeviceEvidence(
            address: address, vendor: vendor, device: device, classCode: classCode,
            vendorName: vendorId.flatMap { names?.vendor($0) },
            deviceName: vendorId.flatMap { v in deviceId.flatMap { names?.device(vendor: v, device: $0) } },
            className: classId.flatMap { names?.className($0) },
            driver: root.linkName(dir + "/driver"),
            iommuGroup: root.linkName(dir + "/iommu_group"),
            resetMethod: reset.status == .absent ? nil : reset,
            numaNode: root.value(dir + "/numa_node"),
            enable: root.value(dir + "/enable"),
            physicalFunction: root.linkName(dir + "/physfn"),
            config: root.readBytes(dir + "/config", limit: 4096))
    }
}
