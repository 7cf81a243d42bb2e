import Analysis
import Foundation
import HostModel
import HostProbe
import Reporting
import Testing

/// The probes on the machine the tests run on. Whatever the machine, nothing crashes and
/// iommu.enabled agrees with /sys/kernel/iommu_groups; on the development machine (a KVM guest
/// with five virtio devices and no IOMMU) the exact result is checked.
@Suite struct LiveHostTests {
    static let isDevelopmentGuest =
        (try? String(contentsOfFile: "/sys/bus/pci/devices/0000:00:00.0/device", encoding: .utf8))?.hasPrefix("0x0d57") == true

    @Test func liveProbeAgreesWithSysfs() throws {
        let f = FixtureRoot(root: .live)
        let groups = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/kernel/iommu_groups")) ?? []
        let enabled = try #require(f.finding("iommu.enabled"))
        #expect(enabled.status == (groups.isEmpty ? .fail : .pass))
        #expect(f.result.findings.filter { $0.id == "pci.passthrough" }.count == f.pciEvidence.devices.count)
    }

    @Test(.enabled(if: isDevelopmentGuest, "only on the KVM guest with the 8086:0d57 host bridge"))
    func developmentGuestListsVirtioDevicesAndNoIOMMU() throws {
        let f = FixtureRoot(root: .live)
        let names = f.result.pci.devices.map { $0.name ?? "" }
        #expect(f.result.pci.devices.count == 6)
        #expect(names.first == "Intel Corporation Device 0d57")
        #expect(Set(f.result.pci.devices.dropFirst().compactMap(\.vendorId)) == ["1af4"])
        if f.pciEvidence.namesSource.map(FileManager.default.fileExists) == true {
            #expect(names.contains("Red Hat, Inc. Virtio 1.0 block device"))
            #expect(names.contains("Red Hat, Inc. Virtio 1.0 network device"))
        }
        let enabled = try #require(f.finding("iommu.enabled"))
        #expect(enabled.status == .fail && enabled.summary.contains("no virtual IOMMU"))
        let lines = PassthroughTable.lines(iommu: f.iommu, pci: f.result.pci)
        #expect(lines.first == "IOMMU: not active [vendor unknown, no units]")
        #expect(lines.allSatisfy { $0.utf8.allSatisfy { (0x20...0x7e).contains($0) } })
    }
}
