import Reporting
import Testing

/// Sections other modules fill later (IOMMU, PCI, Popek–Goldberg, emulator) render from the
/// report's JSON whatever they hold, and say "not available" while they are null.
struct HTMLSectionsTests {
    static func device(_ address: String, group: Int?, status: String, name: String) -> JSONValue {
        .object([
            "address": .string(address), "vendor_id": .string("0x1af4"), "device_id": .string("0x1000"), "class": .string("0x020000"),
            "name": .string(name), "iommu_group": group.map { .int(Int64($0)) } ?? .null, "driver": .string("virtio-pci"),
            "passthrough": .object(["status": .string(status), "reasons": .array(status == "pass" ? [] : [.string("shares group with \(name)")])]),
        ])
    }

    static let tree = JSONValue.object([
        "verdict": .object(["can_run_vms": .bool(true), "acceleration": .string("hardware"), "summary": .string("Yes.")]),
        "iommu": .object(["enabled": .bool(true), "vendor": .string("intel"), "interrupt_remapping": .bool(true), "groups": .array([])]),
        "pci": .object(["devices": .array([
            device("0000:00:02.0", group: 0, status: "pass", name: "VGA <controller>"),
            device("0000:00:1f.0", group: 7, status: "fail", name: "ISA bridge"),
            device("0000:00:1f.3", group: 7, status: "fail", name: "Audio"),
            device("0000:00:00.0", group: nil, status: "not-applicable", name: "Host bridge"),
        ])]),
        "popek_goldberg": .object(["sensitive_unprivileged": .array([.object(["instruction": .string("SGDT"), "status": .string("warn")])])]),
        "emulator": .null,
    ])

    @Test func iommuGroupsAndDevicesAreDrawnAndListed() {
        let html = HTMLRenderer().render(tree: HTMLSectionsTests.tree)
        #expect(html.contains("<svg class=\"diagram\""))
        #expect(html.contains("IOMMU group 7 · 2 devices"))
        #expect(html.contains("<tr data-device=\"0000:00:1f.3\" data-status=\"fail\">"))
        #expect(html.contains("VGA &lt;controller&gt;"))
        #expect(!html.contains("PCI devices and their passthrough status are not available"))
        #expect(html.contains("<code>interrupt_remapping</code>"))
    }

    @Test func laterSectionsRenderGenericallyOrSayTheyAreAbsent() {
        let html = HTMLRenderer().render(tree: HTMLSectionsTests.tree)
        #expect(html.contains("<td>SGDT</td>"), "an unknown section's table is rendered from its JSON")
        #expect(html.contains("Virtualization model of this CPU is not available in this report."))
        let empty = HTMLRenderer().render(tree: .object([:]))
        for text in ["IOMMU units and groups are not available in this report.", "PCI devices and their passthrough status are not available",
                     "Popek–Goldberg analysis is not available in this report.", "Unknown — the evidence cannot say yet"] {
            #expect(empty.contains(text))
        }
    }
}
