import Analysis
import HostModel
import HostProbe
import Reporting
import Testing

/// The HTML renders the typed report: devices grouped and drawn by IOMMU group, whole facts it has
/// no special layout for shown in full from their JSON form, and absent sections said so.
struct HTMLSectionsTests {
    static func device(_ address: String, group: Int?, status: FindingStatus, name: String) -> PCIDeviceFacts {
        PCIDeviceFacts(address: address, vendorId: "0x1af4", deviceId: "0x1000", class: "0x020000", name: name, className: nil,
                       iommuGroup: group, driver: "virtio-pci", numaNode: nil, header: nil, capabilities: nil,
                       resetMethods: nil, resetMethodsSource: nil,
                       passthrough: PassthroughVerdict(status: status, reasons: status == .pass ? [] : ["shares group with \(name)"]))
    }

    /// A real capture (Tests/Fixtures/reports/intel-vtx), with four devices and an Intel IOMMU.
    static func report() throws -> Report {
        let snapshot = try OfflineLoader.load(paths: [Tool.repoPath("Tests/Fixtures/reports/intel-vtx.snapshot.json")])
        var report = Report(Assessor.assess(snapshot))
        report.iommu.enabled = true
        report.iommu.vendor = "intel"
        report.iommu.interruptRemapping = true
        report.pci = PCIFacts(status: .ok, devices: [
            device("0000:00:02.0", group: 0, status: .pass, name: "VGA <controller>"),
            device("0000:00:1f.0", group: 7, status: .fail, name: "ISA bridge"),
            device("0000:00:1f.3", group: 7, status: .fail, name: "Audio"),
            device("0000:00:00.0", group: nil, status: .notApplicable, name: "Host bridge"),
        ])
        report.emulator = .object(["results": .array([.object(["instruction": .string("SGDT"), "status": .string("warn")])])])
        return report
    }

    @Test func iommuGroupsAndDevicesAreDrawnAndListed() throws {
        let html = try HTMLRenderer().render(try HTMLSectionsTests.report())
        #expect(html.contains("<svg class=\"diagram\""))
        #expect(html.contains("IOMMU group 7 · 2 devices"))
        #expect(html.contains("<tr data-device=\"0000:00:1f.3\" data-status=\"fail\">"))
        #expect(html.contains("VGA &lt;controller&gt;"))
        #expect(html.contains("<code>interrupt_remapping</code>"))
        #expect(!html.contains("<code>groups</code>"), "the groups are drawn, not listed again")
    }

    @Test func laterSectionsRenderGenericallyOrSayTheyAreAbsent() throws {
        var report = try HTMLSectionsTests.report()
        let html = try HTMLRenderer().render(report)
        #expect(html.contains("<td>SGDT</td>"), "a section without its own layout is rendered from its JSON")
        report.emulator = nil
        report.popekGoldberg = nil
        report.verdict.canRunVms = nil
        let absent = try HTMLRenderer().render(report)
        for text in ["Virtualization model of this CPU is not available in this report.", "Popek–Goldberg analysis is not available in this report.",
                     "Unknown — the evidence cannot say yet"] {
            #expect(absent.contains(text))
        }
    }
}
