import HostModel

/// Turns IOMMU evidence into `IOMMUFacts`: pure, no I/O. Each source is decoded on its own, so a
/// malformed unit file or a truncated ACPI table becomes one entry in `errors` and the rest stands.
public enum IOMMUDecoder {
    /// - Parameters:
    ///   - cpuVendor: `GenuineIntel`/`AuthenticAMD` from CPUID, used only to name the right
    ///     firmware setting and kernel switch when no IOMMU says which vendor it is.
    public static func facts(iommu: IOMMUEvidence?, pci: PCIEvidence?, cpuVendor: String? = nil) -> IOMMUFacts {
        let guest = pci?.devices.contains { $0.vendor.flatMap { Hex.parse32(Substring($0)) } == 0x1af4 } ?? false
        guard let iommu else {
            return IOMMUFacts(enabled: nil, enabledReason: "IOMMU evidence was not collected", vendor: vendor(cpu: cpuVendor),
                              units: [], interruptRemapping: nil, interruptRemappingEvidence: [], postedInterrupts: nil,
                              groups: [], acpi: [], dmar: nil, ivrs: nil, kernelSwitches: [], vfioAvailable: false,
                              vfioModules: nil, allowUnsafeInterrupts: false, virtualMachineGuest: guest, errors: [])
        }
        var errors: [String] = []

        var groups: [IOMMUFacts.Group] = []
        for g in iommu.groups {
            guard let number = Int(g.group) else { errors.append("/sys/kernel/iommu_groups/\(g.group): not a group number"); continue }
            groups.append(IOMMUFacts.Group(number: number, type: g.type, devices: g.devices))
        }
        groups.sort { $0.number < $1.number }

        let units = iommu.units.map { unit($0, pci: pci) }
        errors += units.compactMap { u in u.error.map { "/sys/class/iommu/\(u.name): \($0)" } }

        var acpi: [String] = []
        let dmar: DMARTable? = table(iommu.dmar, name: "DMAR", acpi: &acpi, errors: &errors) { b throws(BinaryDecodingError) in try DMARParser.parse(b) }
        let ivrs: IVRSTable? = table(iommu.ivrs, name: "IVRS", acpi: &acpi, errors: &errors) { b throws(BinaryDecodingError) in try IVRSParser.parse(b) }

        let switches = iommu.commandLine.text.map(IOMMUCommandLine.switches) ?? []
        if iommu.commandLine.status != .ok { errors.append("/proc/cmdline: \(iommu.commandLine.detail ?? iommu.commandLine.status.rawValue)") }
        let unsafeParameter = ["Y", "1"].contains(iommu.vfio.allowUnsafeInterrupts ?? "N")
        let unsafe = unsafeParameter || switches.contains { $0.text.hasPrefix("vfio_iommu_type1.allow_unsafe_interrupts") }

        let vendor = units.compactMap(\.vendor).first { $0 == "intel" || $0 == "amd" || $0 == virtio }
            ?? (dmar != nil ? "intel" : ivrs != nil ? "amd" : vendor(cpu: cpuVendor))

        var enabled: Bool?
        switch iommu.groupsStatus {
        case .ok: enabled = !groups.isEmpty
        case .absent: enabled = false
        default: enabled = nil
        }
        var reason = enabledReason(enabled: enabled, iommu: iommu, groups: groups, units: units, dmar: dmar, ivrs: ivrs,
                                   switches: switches, guest: guest)
        // A pasted kernel log without group lines: intel_iommu_init prints its banner only once VT-d
        // DMA remapping is set up (drivers/iommu/intel/iommu.c), so that line alone says "active".
        if enabled == nil, let line = logged(iommu).first(where: { $0.message == .intelIOMMUInitialised }) {
            enabled = true
            reason = "DMA remapping is active: the kernel log says VT-d was initialised (dmesg: \(line.line))"
        }

        let (remapping, remappingEvidence) = interruptRemapping(iommu: iommu, units: units, dmar: dmar, switches: switches)
        // One unit without posting decides "no"; an undecodable unit leaves "all of them" unknown.
        let postedByUnit = units.compactMap { $0.intel?.postedInterrupts ?? $0.amd?.guestVirtualApic }
        let posted: Bool? = postedByUnit.contains(false) ? false
            : (units.isEmpty || postedByUnit.count < units.count) ? nil : true

        return IOMMUFacts(enabled: enabled, enabledReason: reason, vendor: vendor, units: units,
                          interruptRemapping: remapping, interruptRemappingEvidence: remappingEvidence,
                          postedInterrupts: posted, groups: groups, acpi: acpi, dmar: dmar, ivrs: ivrs,
                          kernelSwitches: switches, vfioAvailable: iommu.vfio.containerNode,
                          vfioModules: iommu.vfio.modules, allowUnsafeInterrupts: unsafe, virtualMachineGuest: guest,
                          errors: errors)
    }

    /// The recognised lines of the kernel log that came with the IOMMU evidence.
    static func logged(_ iommu: IOMMUEvidence) -> [KernelLogEntry] {
        iommu.kernelLog?.text.map(KernelLogParser.entries) ?? []
    }

    static func vendor(cpu: String?) -> String? {
        switch cpu {
        case "GenuineIntel": "intel"
        case "AuthenticAMD", "HygonGenuine": "amd"
        default: nil
        }
    }

    /// The vendor name of a virtio-iommu (a paravirtual IOMMU that QEMU, cloud-hypervisor and
    /// crosvm give guests; ACPI VIOT describes it, not DMAR or IVRS).
    public static let virtio = "virtio"
    /// PCI ID of a virtio-iommu: vendor 1af4, device 0x1040 + virtio device ID 23 (virtio 1.2,
    /// 4.1.2.1; the device has no transitional ID).
    static let virtioIOMMUPCIID = (vendor: UInt32(0x1af4), device: UInt32(0x1057))

    /// Linux's virtio-iommu driver has no sysfs attribute directory: it names its unit after the
    /// transport (`iommu_device_sysfs_add(..., virtio_bus_name(vdev))` in
    /// drivers/iommu/virtio-iommu.c), for virtio-pci the PCI address of the 1af4:1057 function.
    static func isVirtioIOMMU(unit name: String, pci: PCIEvidence?) -> Bool {
        guard let d = pci?.devices.first(where: { $0.address == name }) else { return false }
        return d.vendor.flatMap { Hex.parse32(Substring($0)) } == virtioIOMMUPCIID.vendor
            && d.device.flatMap { Hex.parse32(Substring($0)) } == virtioIOMMUPCIID.device
    }

    static func unit(_ e: IOMMUUnitEvidence, pci: PCIEvidence?) -> IOMMUFacts.Unit {
        var u = IOMMUFacts.Unit(name: e.name, vendor: nil, version: e.version, intel: nil, amd: nil,
                                deviceCount: e.devices.count, error: nil)
        switch e.driver {
        case "intel-iommu":
            u.vendor = "intel"
            guard let capText = e.cap, let ecapText = e.ecap else { u.error = "intel-iommu/cap or ecap missing"; return u }
            guard let cap = Hex.parse(Substring(capText)), let ecap = Hex.parse(Substring(ecapText)) else {
                u.error = "intel-iommu cap \"\(capText)\" / ecap \"\(ecapText)\" is not hexadecimal"
                return u
            }
            u.intel = IntelIOMMUDecoder.decode(cap: cap, ecap: ecap)
        case "amd-iommu":
            u.vendor = "amd"
            guard let featuresText = e.features, let efr = AMDIOMMUDecoder.parseFeatures(featuresText) else {
                u.error = "amd-iommu/features \"\(e.features ?? "missing")\" is not hexadecimal"
                return u
            }
            u.amd = AMDIOMMUDecoder.decode(cap: e.cap.flatMap { Hex.parse32(Substring($0)) }, efr: efr)
        default:
            u.vendor = e.driver ?? (isVirtioIOMMU(unit: e.name, pci: pci) ? virtio : nil)
        }
        return u
    }

    static func table<T>(_ evidence: BinaryEvidence, name: String, acpi: inout [String], errors: inout [String],
                         parse: ([UInt8]) throws(BinaryDecodingError) -> T) -> T? {
        switch evidence.status {
        case .ok:
            guard let bytes = evidence.bytes else {
                acpi.append("\(name): unreadable hex in snapshot")
                errors.append("\(evidence.source): hex is not well formed")
                return nil
            }
            do {
                let table = try parse(bytes)
                acpi.append("\(name): \(bytes.count) bytes, parsed")
                return table
            } catch {
                acpi.append("\(name): \(bytes.count) bytes, malformed")
                errors.append("\(evidence.source): \(error)")
                return nil
            }
        case .denied:
            acpi.append("\(name): not readable (root only)")
        case .absent:
            acpi.append("\(name): absent")
        default:
            acpi.append("\(name): \(evidence.detail ?? evidence.status.rawValue)")
        }
        return nil
    }

    static func enabledReason(enabled: Bool?, iommu: IOMMUEvidence, groups: [IOMMUFacts.Group], units: [IOMMUFacts.Unit],
                              dmar: DMARTable?, ivrs: IVRSTable?, switches: [IOMMUKernelSwitch], guest: Bool) -> String {
        switch enabled {
        case true?:
            let names = units.map(\.name).joined(separator: ", ")
            return "DMA remapping is active: \(groups.count) IOMMU groups" + (units.isEmpty ? "" : ", \(units.count) units (\(names))")
        case nil:
            return "/sys/kernel/iommu_groups could not be read: \(iommu.groupsDetail ?? iommu.groupsStatus.rawValue)"
        case false?:
            var parts = [iommu.groupsStatus == .absent ? "the kernel has no IOMMU support (/sys/kernel/iommu_groups is missing)"
                                                       : "no IOMMU groups: the kernel is not remapping DMA"]
            if let off = switches.first(where: \.disablesIOMMU) {
                parts.append("the command line turns it off (\(off.text))")
            } else if dmar != nil || ivrs != nil {
                parts.append("the firmware describes an IOMMU (\(dmar != nil ? "DMAR" : "IVRS") table) but the kernel did not enable it")
            } else if iommu.dmar.status == .absent && iommu.ivrs.status == .absent {
                parts.append("the firmware exposes no DMAR or IVRS table")
            } else if iommu.dmar.status == .denied || iommu.ivrs.status == .denied {
                parts.append("the ACPI tables that would say whether firmware offers one need root to read")
            }
            if guest { parts.append("this is a virtual machine (virtio devices) whose hypervisor gives it no virtual IOMMU") }
            return parts.joined(separator: "; ")
        }
    }

    /// /proc/interrupts names the irq chip of every interrupt; with remapping on, MSI and IO-APIC
    /// chips are `IR-PCI-MSI*`, `IR-IO-APIC`. This needs no root, unlike DMAR or the unit registers.
    static func interruptRemapping(iommu: IOMMUEvidence, units: [IOMMUFacts.Unit], dmar: DMARTable?,
                                   switches: [IOMMUKernelSwitch]) -> (Bool?, [String]) {
        var evidence: [String] = []
        var active: Bool?
        if let text = iommu.interrupts.text {
            var remapped = 0, plain = 0
            // Tokens compared as bytes: the chip names are ASCII, and Substring's Unicode-aware
            // `hasPrefix` over every token of every line was half of the IOMMU facts (issue 16).
            for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
                let tokens = line.split(separator: UInt8(ascii: " "))
                if tokens.contains(where: { $0.starts(with: "IR-".utf8) }) { remapped += 1 }
                else if tokens.contains(where: { $0.starts(with: "PCI-MSI".utf8) || $0.elementsEqual("IO-APIC".utf8) }) { plain += 1 }
            }
            active = remapped > 0
            evidence.append("/proc/interrupts: \(remapped) lines through IR- (remapped) chips, \(plain) through plain IO-APIC/PCI-MSI chips")
        } else {
            evidence.append("/proc/interrupts: \(iommu.interrupts.detail ?? iommu.interrupts.status.rawValue)")
        }
        // dmesg: what Linux printed when it turned remapping on or gave up on it (`KernelMessage`
        // .interruptRemapping). A log excerpt may simply not hold such a line: then nothing is decided.
        if active == nil, let entry = logged(iommu).last(where: { if case .interruptRemapping = $0.message { true } else { false } }),
           case .interruptRemapping(let on) = entry.message {
            active = on
            evidence.append("dmesg: \(entry.line)")
        }
        for u in units {
            if let intel = u.intel { evidence.append("\(u.name) ecap.IR=\(intel.interruptRemapping ? 1 : 0) ecap.EIM=\(intel.extendedInterruptMode ? 1 : 0)") }
        }
        if let dmar { evidence.append("DMAR flags.INTR_REMAP=\(dmar.interruptRemapping ? 1 : 0)") }
        for s in switches where s.text.hasPrefix("intremap=") { evidence.append("\(s.text): \(s.meaning)") }
        return (active, evidence)
    }
}
