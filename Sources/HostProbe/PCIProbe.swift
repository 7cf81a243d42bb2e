import HostModel

/// Reads every PCI function under /sys/bus/pci/devices: identity, driver, IOMMU group, reset
/// methods and config space, with names from pci.ids. The same code reads the live host and a
/// `--root` tree; nothing is written (config space is only read, so no device is woken or reset).
public enum PCIProbe {
    static let devicesPath = "/sys/bus/pci/devices"

    /// How long the background reader may take (`BackgroundRun(root:)`): far beyond the
    /// functions a host can have, each a few dozen config reads.
    static let timeoutNanoseconds: UInt64 = 60_000_000_000

    public static func probe(root: HostRoot) -> PCIEvidence {
        guard let addresses = root.list(devicesPath)?.filter(IOMMUProbe.visible) else {
            let status: EvidenceStatus = root.exists(devicesPath) ? .error : .absent
            return PCIEvidence(status: status, detail: status == .absent ? "no PCI bus in sysfs" : "cannot list \(devicesPath)",
                               devices: [])
        }
        // The snapshot limit, applied where the tree is read: more functions than one host has
        // were analysed by `check --root` (6,000 in 28 s) but refused in `capture --root`'s snapshot.
        guard addresses.count <= InputLimits.maxPCIFunctions else {
            return PCIEvidence(status: .error, detail: "\(devicesPath) lists \(addresses.count) PCI functions; at most \(InputLimits.maxPCIFunctions) are analysed (not one host)",
                               devices: [])
        }
        var devices = addresses.map { device(address: $0, root: root) }
        // Named after all are read: pci.ids is searched once for the IDs present.
        let names = PCINameDatabase()
        if let names {
            let found = names.names(devices.map(ids))
            for i in devices.indices {
                devices[i].vendorName = found[i].vendor
                devices[i].deviceName = found[i].device
                devices[i].className = found[i].className
            }
        }
        return PCIEvidence(status: .ok, devices: devices, namesSource: names?.path)
    }

    /// The IDs pci.ids names, from the sysfs files as read.
    static func ids(_ device: PCIDeviceEvidence) -> PCINameDatabase.IDs {
        PCINameDatabase.IDs(vendor: device.vendor.flatMap { Hex.parse32(Substring($0)) }.map(Int.init),
                            device: device.device.flatMap { Hex.parse32(Substring($0)) }.map(Int.init),
                            classCode: device.classCode.flatMap { Hex.parse32(Substring($0)) }.map { Int($0 >> 8) })
    }

    /// One function's files; its names are filled in by `probe`.
    static func device(address: String, root: HostRoot) -> PCIDeviceEvidence {
        let dir = devicesPath + "/" + address
        let vendor = root.value(dir + "/vendor")
        let device = root.value(dir + "/device")
        let classCode = root.value(dir + "/class")
        let reset = root.readText(dir + "/reset_method", limit: 4096)
        return PCIDeviceEvidence(
            address: address, vendor: vendor, device: device, classCode: classCode,
            driver: root.linkName(dir + "/driver"),
            iommuGroup: root.linkName(dir + "/iommu_group"),
            resetMethod: reset.status == .absent ? nil : reset,
            numaNode: root.value(dir + "/numa_node"),
            enable: root.value(dir + "/enable"),
            physicalFunction: root.linkName(dir + "/physfn"),
            config: root.readOnDemand(dir + "/config", limit: PCIConfigReach.expressSize,
                                      initialSize: PCIConfigReach.standardSize, next: PCIConfigReach.next))
    }
}

extension BackgroundRun where Evidence == PCIEvidence {
    /// `PCIProbe.probe` on a thread of its own, beside the probe's other reads: each config
    /// dword it reads is a config cycle the hypervisor emulates in a VM (about 40 µs here), so
    /// reading a few functions' capability lists was a third of `check`'s own probing (issue 16).
    public convenience init(root: HostRoot) {
        self.init(timeoutNanoseconds: PCIProbe.timeoutNanoseconds,
                  overstayed: {
                      PCIEvidence(status: .error, detail: "virtcheck's PCI reader did not finish within \(PCIProbe.timeoutNanoseconds / 1_000_000_000) s (its own deadline)",
                                  devices: [])
                  },
                  { PCIProbe.probe(root: root) })
    }
}
