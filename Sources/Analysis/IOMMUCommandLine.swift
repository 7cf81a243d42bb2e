import HostModel

/// Reads the kernel command line for the switches that change DMA and interrupt isolation and
/// says what each does. Only switches the kernel acts on count; a common myth (`amd_iommu=on`)
/// is reported as ignored so the user stops relying on it.
public enum IOMMUCommandLine {
    public static func switches(_ commandLine: String) -> [IOMMUKernelSwitch] {
        commandLine.split(asciiWhere: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\t") }).flatMap { word -> [IOMMUKernelSwitch] in
            let parts = word.split(ascii: "=", maxSplits: 1)
            guard let key = parts.first else { return [] }
            let value = parts.count > 1 ? String(parts[1]) : ""
            let text = String(word)
            switch key {
            case "intel_iommu":
                return value.split(ascii: ",").map { intel(String($0), text: text) }
            case "amd_iommu":
                return value.split(ascii: ",").map { amd(String($0), text: text) }
            case "iommu":
                return [generic(value, text: text)]
            case "iommu.passthrough":
                return [value == "1" || value == "y" || value == "Y"
                        ? IOMMUKernelSwitch(text: text, meaning: "host DMA is not translated (identity domains); devices given to VMs are still isolated")
                        : IOMMUKernelSwitch(text: text, meaning: "host DMA is translated (the default on most distributions)")]
            case "iommu.strict":
                return [IOMMUKernelSwitch(text: text, meaning: value == "0"
                    ? "lazy IOTLB flushing (DMA-FQ): a freed buffer stays reachable by the device for a few milliseconds"
                    : "IOTLB flushed on every unmap")]
            case "intremap":
                switch value {
                case "off": return [IOMMUKernelSwitch(text: text, meaning: "interrupt remapping off: an assigned device can forge MSIs into the host; VFIO refuses assignment unless allow_unsafe_interrupts", weakensIsolation: true)]
                case "nosid": return [IOMMUKernelSwitch(text: text, meaning: "interrupt remapping without source-id checks: any device may use any remapping entry", weakensIsolation: true)]
                default: return [IOMMUKernelSwitch(text: text, meaning: "interrupt remapping option \(value)")]
                }
            case "pcie_acs_override":
                return [IOMMUKernelSwitch(text: text, meaning: "out-of-tree patch that pretends ports have ACS: groups are split where the hardware does not isolate, so a device can reach its former group mates by peer-to-peer DMA", weakensIsolation: true)]
            case "vfio_iommu_type1.allow_unsafe_interrupts":
                return ["1", "y", "Y"].contains(value)
                    ? [IOMMUKernelSwitch(text: text, meaning: "VFIO assigns devices without interrupt remapping: a guest can inject interrupts into the host", weakensIsolation: true)]
                    : []
            case "vfio-pci.ids":
                return [IOMMUKernelSwitch(text: text, meaning: "binds these vendor:device IDs to vfio-pci at boot")]
            default:
                return []
            }
        }
    }

    static func intel(_ value: String, text: String) -> IOMMUKernelSwitch {
        switch value {
        case "on": IOMMUKernelSwitch(text: text, meaning: "turns Intel VT-d DMA remapping on (needed where the kernel's default is off)")
        case "off": IOMMUKernelSwitch(text: text, meaning: "turns Intel VT-d off: no DMA isolation, no device assignment", weakensIsolation: true, disablesIOMMU: true)
        case "igfx_off": IOMMUKernelSwitch(text: text, meaning: "no DMA remapping for the integrated GPU")
        case "sm_on": IOMMUKernelSwitch(text: text, meaning: "scalable mode on (PASID-granular translation)")
        case "sm_off": IOMMUKernelSwitch(text: text, meaning: "scalable mode off (legacy translation)")
        default: IOMMUKernelSwitch(text: text, meaning: "Intel IOMMU option \(value)")
        }
    }

    static func amd(_ value: String, text: String) -> IOMMUKernelSwitch {
        switch value {
        case "off": IOMMUKernelSwitch(text: text, meaning: "turns AMD-Vi off: no DMA isolation, no device assignment", weakensIsolation: true, disablesIOMMU: true)
        case "on": IOMMUKernelSwitch(text: text, meaning: "not an amd_iommu value (ignored): AMD-Vi is on by default when firmware enables the IOMMU")
        case "force_isolation": IOMMUKernelSwitch(text: text, meaning: "every device gets its own translated domain, even with iommu=pt")
        case "fullflush": IOMMUKernelSwitch(text: text, meaning: "IOTLB flushed on every unmap")
        default: IOMMUKernelSwitch(text: text, meaning: "AMD IOMMU option \(value)")
        }
    }

    static func generic(_ value: String, text: String) -> IOMMUKernelSwitch {
        switch value {
        case "pt": IOMMUKernelSwitch(text: text, meaning: "host DMA is not translated (identity domains); devices given to VMs are still isolated")
        case "nopt": IOMMUKernelSwitch(text: text, meaning: "host DMA is translated")
        case "off": IOMMUKernelSwitch(text: text, meaning: "turns the IOMMU off: no DMA isolation, no device assignment", weakensIsolation: true, disablesIOMMU: true)
        case "soft": IOMMUKernelSwitch(text: text, meaning: "software bounce buffers instead of the IOMMU", weakensIsolation: true, disablesIOMMU: true)
        default: IOMMUKernelSwitch(text: text, meaning: "IOMMU option \(value)")
        }
    }
}
