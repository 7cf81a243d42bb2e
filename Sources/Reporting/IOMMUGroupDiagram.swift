import HostModel

/// IOMMU groups as boxes holding their PCI devices, coloured by passthrough status: a device can
/// only be passed through with its whole group, which a picture shows at a glance.
struct IOMMUGroupDiagram {
    struct Device {
        var address: String
        var label: String
        var status: FindingStatus
    }

    struct Group {
        var id: String
        var devices: [Device]
    }

    var groups: [Group]

    func svg() -> Markup {
        let columns = 2, boxWidth = 350.0, gap = 16.0, rowHeight = 22.0, header = 26.0
        var columnY = [Double](repeating: 0, count: columns)
        var parts: [Markup] = []
        for group in groups {
            let col = columnY.firstIndex(of: columnY.min()!)!
            let x = Double(col) * (boxWidth + gap), y = columnY[col]
            let h = header + rowHeight * Double(group.devices.count) + 8
            parts.append("<g class=\"group\"><rect x=\"\(coordinate: x + 1)\" y=\"\(coordinate: y + 1)\" width=\"\(coordinate: boxWidth - 2)\" height=\"\(coordinate: h)\" rx=\"6\" class=\"groupbox\"/><text x=\"\(coordinate: x + 10)\" y=\"\(coordinate: y + 18)\" class=\"label\">IOMMU group \(group.id) · \(group.devices.count) device\(group.devices.count == 1 ? "" : "s")</text>")
            for (i, d) in group.devices.enumerated() {
                let dy = y + header + rowHeight * Double(i)
                let label = d.label.count > 38 ? String(d.label.prefix(37)) + "…" : d.label
                parts.append("<rect x=\"\(coordinate: x + 8)\" y=\"\(coordinate: dy)\" width=\"\(coordinate: boxWidth - 16)\" height=\"\(coordinate: rowHeight - 3)\" rx=\"3\" class=\"dev st-\(Markup(stringLiteral: d.status.rawValue))\"/><text x=\"\(coordinate: x + 14)\" y=\"\(coordinate: dy + 14)\" class=\"mono\">\(d.address)</text><text x=\"\(coordinate: x + 120)\" y=\"\(coordinate: dy + 14)\" class=\"sub\">\(label)</text>")
            }
            parts.append("</g>")
            columnY[col] = y + h + gap
        }
        let height = max(columnY.max() ?? 0, 40)
        return "<svg class=\"diagram\" role=\"img\" aria-label=\"IOMMU groups and their devices\" viewBox=\"0 0 716 \(coordinate: height)\" width=\"716\" height=\"\(coordinate: height)\" xmlns=\"http://www.w3.org/2000/svg\"><title>IOMMU groups and their devices</title>\(parts)</svg>"
    }
}
