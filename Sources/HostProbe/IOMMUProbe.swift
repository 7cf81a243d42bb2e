import HostModel

/// Reads the IOMMU side of device assignment: groups, units, ACPI DMAR/IVRS, interrupt
/// remapping as /proc/interrupts shows it, the kernel command line and VFIO. Read-only; ACPI
/// tables are root-only files, so a non-root run records `denied` for them and goes on.
public enum IOMMUProbe {
    public static func probe(root: HostRoot) -> IOMMUEvidence {
        let groupsPath = "/sys/kernel/iommu_groups"
        var groups: [IOMMUGroupEvidence] = []
        var groupsStatus = EvidenceStatus.ok
        var groupsDetail: String?
        if let names = root.list(groupsPath)?.filter(visible), names.count <= InputLimits.maxPCIFunctions {
            groups = names.map { name in
                IOMMUGroupEvidence(group: name, devices: root.list("\(groupsPath)/\(name)/devices")?.filter(visible) ?? [],
                                   type: root.value("\(groupsPath)/\(name)/type"))
            }
            // Members are PCI functions: the snapshot's limit, so `capture --root` reads back.
            let members = groups.reduce(0) { $0 + $1.devices.count }
            if members > InputLimits.maxPCIFunctions {
                groups = []
                groupsStatus = .error
                groupsDetail = "\(groupsPath) names \(members) group members; at most \(InputLimits.maxPCIFunctions) PCI functions are analysed (not one host)"
            }
        } else {
            groupsStatus = root.exists(groupsPath) ? .error : .absent
            groupsDetail = groupsStatus == .absent ? "\(groupsPath) does not exist (kernel without IOMMU support)"
                                                   : "cannot list \(groupsPath), or it holds more groups than \(InputLimits.maxPCIFunctions) PCI functions fill"
        }

        let unitsPath = "/sys/class/iommu"
        // More units than Linux supports is not a host's sysfs: unread (an error), not decoded one by one.
        let listed = root.list(unitsPath)?.filter(visible)
        let unitNames = listed.flatMap { $0.count > InputLimits.maxIOMMUUnits ? nil : $0 }
        let units = (unitNames ?? []).map { unit(name: $0, dir: "\(unitsPath)/\($0)", root: root) }

        let tables = "/sys/firmware/acpi/tables"
        let modules = root.list("/sys/module")
        return IOMMUEvidence(
            groupsStatus: groupsStatus, groupsDetail: groupsDetail, groups: groups,
            unitsStatus: unitNames == nil ? (root.exists(unitsPath) ? .error : .absent) : .ok, units: units,
            dmar: root.readBytes("\(tables)/DMAR"), ivrs: root.readBytes("\(tables)/IVRS"),
            interrupts: root.readText("/proc/interrupts"), commandLine: root.readText("/proc/cmdline"),
            vfio: VFIOEvidence(
                containerNode: root.exists("/dev/vfio/vfio"),
                modules: modules.map { $0.filter { $0.hasPrefix("vfio") } },
                allowUnsafeInterrupts: root.value("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts")))
    }

    static func unit(name: String, dir: String, root: HostRoot) -> IOMMUUnitEvidence {
        let entries = root.list(dir) ?? []
        let driver = entries.first { $0 == "intel-iommu" || $0 == "amd-iommu" }
        let attributes = driver.map { "\(dir)/\($0)" } ?? dir
        return IOMMUUnitEvidence(
            name: name, driver: driver,
            cap: root.value(attributes + "/cap"), ecap: root.value(attributes + "/ecap"),
            version: root.value(attributes + "/version"), features: root.value(attributes + "/features"),
            devices: root.list(dir + "/devices")?.filter(visible) ?? [])
    }

    /// sysfs has no hidden names; captured trees keep empty directories in git with a `.keep` file.
    static func visible(_ name: String) -> Bool { !name.hasPrefix(".") }
}
