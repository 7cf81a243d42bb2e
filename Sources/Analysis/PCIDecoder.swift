import HostModel

/// Turns PCI evidence into `PCIFacts`: identity and names, config space decoded, the bridge
/// path up to the root complex (from the bridges' secondary bus numbers, which the first 64 bytes
/// hold, so this works without root), and the reset methods. Verdicts come from `PassthroughRules`.
public enum PCIDecoder {
    public static func facts(pci: PCIEvidence?, iommu: IOMMUFacts) -> PCIFacts {
        guard let pci else { return PCIFacts(status: .absent, detail: "PCI evidence was not collected", devices: []) }
        let decoded = pci.devices.map { device($0, iommu: iommu) }
        var devices = decoded.map(\.facts)
        // The bridge whose secondary bus is this device's bus is its parent; climb to the root.
        var parentOfBus: [String: String] = [:]
        for (d, listedSecondary) in decoded {
            if let secondary = d.header?.secondaryBus ?? listedSecondary, let domain = domainOf(d.address) {
                parentOfBus[domain + ":" + Hex.digits(secondary, count: 2)] = d.address
            }
        }
        for i in devices.indices {
            var path: [String] = []
            var current = devices[i].address
            while let bus = busKey(current), let parent = parentOfBus[bus], parent != current, path.count < 256,
                  !path.contains(parent) {
                path.insert(parent, at: 0)
                current = parent
            }
            devices[i].upstream = path
        }
        for i in devices.indices where devices[i].resetMethods == nil {
            derivedReset(&devices[i], all: devices)
        }
        return PCIFacts(status: pci.status, detail: pci.detail, devices: devices)
    }

    static func domainOf(_ address: String) -> String? {
        let parts = address.split(ascii: ":")
        return parts.count == 3 ? String(parts[0]) : nil
    }

    /// `0000:01:00.0` → `0000:01`.
    static func busKey(_ address: String) -> String? {
        let parts = address.split(ascii: ":")
        return parts.count == 3 ? parts[0] + ":" + parts[1] : nil
    }

    /// One function's facts, and the secondary bus a pasted `lspci -vv` block gave for a bridge
    /// (config bytes give it through `header`).
    static func device(_ e: PCIDeviceEvidence, iommu: IOMMUFacts) -> (facts: PCIDeviceFacts, listedSecondary: Int?) {
        var errors: [String] = []
        let base = "/sys/bus/pci/devices/\(e.address)"
        // A paste (lspci) has no sysfs files: what it does not show is not an error of the input.
        let pasted = !e.config.source.hasPrefix("/")
        func hexValue(_ text: String?, _ name: String) -> UInt32? {
            guard let text else {
                if !pasted { errors.append("\(base)/\(name): unreadable") }
                return nil
            }
            guard let value = Hex.parse32(Substring(text)) else { errors.append("\(base)/\(name): \"\(text)\" is not hexadecimal"); return nil }
            return value
        }
        let vendor = hexValue(e.vendor, "vendor")
        let device = hexValue(e.device, "device")
        let classCode = hexValue(e.classCode, "class")

        var header: PCIHeader?
        var capabilities: PCICapabilities?
        var listedSecondary: Int?
        if e.config.status != .ok, let listing = e.lspci, listing.status == .ok, let text = listing.text {
            let decoded = LspciCapabilityDecoder.decode(text, label: "lspci -vvv: " + PassthroughRules.short(e.address))
            capabilities = decoded.capabilities
            listedSecondary = decoded.secondaryBus
        } else if e.config.status == .ok, let region = e.config.partial {
            do {
                let decoded = try PCIConfigDecoder.decode(region)
                header = decoded.header
                capabilities = decoded.capabilities
                if let error = decoded.error { errors.append("\(pasted ? e.config.source : base + "/config"): \(error)") }
            } catch {
                errors.append("\(pasted ? e.config.source : base + "/config"): \(error)")
            }
        } else {
            // Read, but its hex is not two digits (or `--`) a byte: a hand-edited snapshot, which
            // said "config: ok" here before.
            let why = e.config.status == .ok ? "not hex bytes (two digits, or -- for an unread byte, each)"
                : e.config.detail ?? e.config.status.rawValue
            errors.append("\(base)/config: \(why)")
        }

        var group: Int?
        if let text = e.iommuGroup {
            group = Int(text)
            if group == nil { errors.append("\(base)/iommu_group: \"\(text)\" is not a group number") }
        } else {
            group = iommu.group(containing: e.address)?.number
        }

        var resetMethods: [String]?
        var resetSource: String?
        if let reset = e.resetMethod {
            if reset.status == .ok, let text = reset.text {
                resetMethods = text.split(asciiWhere: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") }).map(String.init)
                resetSource = "sysfs"
            } else {
                errors.append("\(base)/reset_method: \(reset.detail ?? reset.status.rawValue)")
            }
        }

        // As lspci prints it: a device pci.ids does not know is "Vendor Device 0d57".
        let deviceName = e.deviceName ?? (e.vendorName != nil ? device.map { "Device " + Hex.digits(Int($0), count: 4) } : nil)
        let name = [e.vendorName, deviceName].compactMap { $0 }.joined(separator: " ")
        let classValue = classCode.map { Int($0 >> 8) } ?? header.map { Int($0.classCode >> 8) }
        let facts = PCIDeviceFacts(
            address: e.address, vendorId: (vendor.map { Int($0) } ?? header.map { Int($0.vendorId) }).map { Hex.digits($0, count: 4) },
            deviceId: (device.map { Int($0) } ?? header.map { Int($0.deviceId) }).map { Hex.digits($0, count: 4) },
            class: classValue.map { Hex.digits($0, count: 4) }, name: name.isEmpty ? nil : name, className: e.className,
            iommuGroup: group, driver: e.driver, numaNode: e.numaNode.flatMap(Int.init).flatMap { $0 < 0 ? nil : $0 },
            header: header, capabilities: capabilities, resetMethods: resetMethods, resetMethodsSource: resetSource,
            errors: errors)
        return (facts, listedSecondary)
    }

    /// Kernels before 5.15 have no `reset_method`: derive what `pci_reset_function` would try
    /// (drivers/pci/pci.c): FLR (PCIe or AF), PM (D3hot→D0 when No_Soft_Reset is clear), and a
    /// secondary bus reset when the function is alone on a bus below a bridge.
    static func derivedReset(_ d: inout PCIDeviceFacts, all: [PCIDeviceFacts]) {
        guard let caps = d.capabilities, caps.standardRead else { return }
        var methods: [String] = []
        if caps.express?.flr == true { methods.append("flr") }
        if caps.advancedFeaturesFlr == true { methods.append("af_flr") }
        if caps.pmNoSoftReset == false { methods.append("pm") }
        let bus = busKey(d.address)
        if !d.upstream.isEmpty, d.header?.headerType == 0, all.filter({ busKey($0.address) == bus }).count == 1 {
            methods.append("bus")
        }
        d.resetMethods = methods
        d.resetMethodsSource = caps.lines != nil ? "lspci" : "config"
    }
}
