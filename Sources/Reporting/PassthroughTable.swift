import Analysis
import HostModel

/// The text report's device-assignment section: one header line about the IOMMU, then every
/// PCI function grouped by IOMMU group, as plain ASCII columns (no colour, no Unicode) so it
/// reads the same in a terminal, a log and a CI artefact.
public enum PassthroughTable {
    public static func lines(iommu: IOMMUFacts, pci: PCIFacts) -> [String] {
        var out: [String] = []
        let state = switch iommu.enabled { case true?: "active"; case false?: "not active"; case nil: "unknown" }
        let units = iommu.units.isEmpty ? "no units" : "\(iommu.units.count) units (\(iommu.units.map(\.name).joined(separator: " ")))"
        out.append("IOMMU: \(state) [\(iommu.vendor ?? "vendor unknown"), \(units)]")
        if iommu.enabled != true { out.append("  " + iommu.enabledReason) }
        out.append("Interrupt remapping: " + yesNo(iommu.interruptRemapping)
                   + "; posted interrupts: " + yesNo(iommu.postedInterrupts)
                   + "; VFIO: " + (iommu.vfioAvailable ? "/dev/vfio present" : "no /dev/vfio/vfio")
                   + (iommu.allowUnsafeInterrupts ? "; allow_unsafe_interrupts ON" : ""))
        for s in iommu.kernelSwitches { out.append("Kernel: \(s.text) - \(s.meaning)") }

        let header = ["GROUP", "DEVICE", "CLASS", "ID", "DRIVER", "RESET", "IRQ", "ACS", "VERDICT", "NAME"]
        var rows: [[String]] = []
        let ordered = pci.devices.sorted { (a, b) in
            (a.iommuGroup ?? Int.max, a.address) < (b.iommuGroup ?? Int.max, b.address)
        }
        for d in ordered {
            let acs: String
            if let a = d.acs { acs = a.control.isolates ? "on" : "partial" }
            else { acs = d.capabilities?.extendedRead == true ? "-" : "?" }
            let irq = d.msix == true ? "msix" : d.msi == true ? "msi" : (d.msi == nil ? "?" : "intx")
            rows.append([d.iommuGroup.map(String.init) ?? "-", PassthroughRules.short(d.address), d.class ?? "?",
                         "\(d.vendorId ?? "?"):\(d.deviceId ?? "?")", d.driver ?? "-",
                         d.resetMethods.map { $0.isEmpty ? "none" : $0.joined(separator: ",") } ?? "?",
                         irq, acs, d.passthrough?.status.rawValue ?? "?", clean(d.name ?? "(not in pci.ids)")])
        }
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        for row in [header] + rows {
            let cells = row.indices.map { i in i == row.count - 1 ? row[i] : row[i] + String(repeating: " ", count: widths[i] - row[i].count) }
            out.append(cells.joined(separator: "  "))
        }
        for d in ordered where d.passthrough?.status != .notApplicable {
            guard let v = d.passthrough else { continue }
            out.append("\(PassthroughRules.short(d.address)) \(v.status.rawValue): " + v.reasons.map(clean).joined(separator: "; "))
        }
        return out
    }

    static func yesNo(_ value: Bool?) -> String { value.map { $0 ? "yes" : "no" } ?? "unknown" }

    /// pci.ids and snapshots are untrusted text: keep printable ASCII, so no escape sequence
    /// reaches the terminal.
    static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { (0x20...0x7e).contains($0.value) ? $0 : "?" }))
    }
}
