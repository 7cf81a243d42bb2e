import Analysis
import Foundation
import HostModel
import HostProbe
import Testing

/// Each fixture root is read by the live probes and judged; the expected verdicts follow from the
/// real group listings each root was built from (see Fixtures/roots/*/README.md).
@Suite struct FixtureVerdictTests {
    static func statuses(_ f: FixtureRoot) -> [String: FindingStatus] {
        Dictionary(uniqueKeysWithValues: f.result.findings.filter { $0.id == "pci.passthrough" }.map { ($0.subject ?? "", $0.status) })
    }

    @Test func kvmGuestWithoutIOMMU() throws {
        let f = FixtureRoot("kvm-guest-no-iommu")
        #expect(f.pciEvidence.devices.map(\.address) == (0...5).map { "0000:00:0\($0).0" })
        let enabled = try #require(f.finding("iommu.enabled"))
        #expect(enabled.status == .fail)
        #expect(enabled.summary.contains("no DMAR or IVRS table") && enabled.summary.contains("virtual machine"))
        #expect(enabled.remediation?.contains("virtual IOMMU") == true)
        #expect(f.finding("iommu.interrupt-remapping")?.status == .fail)
        #expect(f.finding("iommu.groups")?.status == .fail)
        #expect(f.finding("vfio.available")?.status == .fail)
        #expect(f.iommu.acpi == ["DMAR: absent", "IVRS: absent"])
        let s = Self.statuses(f)
        #expect(s["0000:00:00.0"] == .notApplicable)
        #expect((1...5).allSatisfy { s["0000:00:0\($0).0"] == .fail })
        #expect(f.device("0000:00:02.0")?.msix == true && f.device("0000:00:02.0")?.driver == "virtio-pci")
        #expect(f.verdict("0000:00:03.0")?.reasons.first?.hasPrefix("no IOMMU is active") == true)
    }

    /// The same host with its host bridge's class file and config space unreadable (as under
    /// `ulimit -n 9`, where the PCI reader met virtcheck's own descriptor limit and the bridge
    /// was judged a device that fails for want of an IOMMU): a function whose class is unknown is
    /// unknown, never fail; the functions read whole keep their verdicts.
    @Test func aFunctionOfUnknownClassIsNeverAFailure() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("virtcheck-noclass-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: dir) }
        try fm.copyItem(atPath: FixtureRoot.path("kvm-guest-no-iommu"), toPath: dir)
        for file in ["class", "config"] { try fm.removeItem(atPath: dir + "/sys/bus/pci/devices/0000:00:00.0/" + file) }
        let f = FixtureRoot(root: HostRoot(path: dir, isLive: false))
        #expect(f.device("0000:00:00.0")?.class == nil)
        let s = Self.statuses(f)
        #expect(s["0000:00:00.0"] == .unknown)
        let reasons = f.verdict("0000:00:00.0")?.reasons ?? []
        #expect(reasons.first?.hasPrefix("the class is unknown") == true)
        #expect(reasons.contains { $0.hasPrefix("no IOMMU is active") })
        #expect((1...5).allSatisfy { s["0000:00:0\($0).0"] == .fail })
    }

    @Test func intelDesktopGPUWithItsAudioFunction() throws {
        let f = FixtureRoot("intel-desktop-gpu")
        #expect(f.finding("iommu.enabled")?.status == .pass)
        #expect(f.finding("iommu.interrupt-remapping")?.status == .pass)
        #expect(f.finding("iommu.groups")?.status == .pass)
        #expect(f.finding("vfio.available")?.status == .pass)
        #expect(f.iommu.vendor == "intel" && f.iommu.units.map(\.name) == ["dmar0", "dmar1"])
        #expect(f.iommu.units[1].intel?.interruptRemapping == true && f.iommu.postedInterrupts == false)
        #expect(f.iommu.dmar?.units.count == 2 && f.iommu.dmar?.reservedMemory.count == 2)
        let s = Self.statuses(f)
        #expect(s["0000:01:00.0"] == .pass && s["0000:01:00.1"] == .pass)
        #expect(s["0000:00:02.0"] == .warn)   // RMRR, relaxed for graphics
        #expect(s["0000:00:14.0"] == .warn)   // RMRR, relaxed for USB
        #expect(s["0000:00:1f.3"] == .warn)   // shares its slot with LPC, PMC and SMBus
        #expect(s["0000:03:00.0"] == .pass && s["0000:05:00.0"] == .pass && s["0000:00:1f.6"] == .pass)
        #expect(s["0000:00:01.0"] == .notApplicable && s["0000:00:00.0"] == .notApplicable)
        let gpu = try #require(f.verdict("0000:01:00.0"))
        #expect(gpu.reasons.contains("IOMMU group 2 is its own with its other functions 01:00.1 (assign them together); bridges 00:01.0 stay with the host"))
        #expect(gpu.reasons.contains { $0.contains("secondary bus reset through 00:01.0") })
        #expect(gpu.remediation?.contains("vfio-pci.ids=10de:1d01") == true)
        #expect(f.device("0000:01:00.0")?.upstream == ["0000:00:01.0"])
        #expect(f.device("0000:03:00.0")?.resetMethods == ["flr", "bus"] && f.device("0000:03:00.0")?.resetMethodsSource == "sysfs")
    }

    @Test func amdRyzenChipsetGroup() throws {
        let f = FixtureRoot("amd-ryzen-chipset-group")
        #expect(f.iommu.vendor == "amd" && f.iommu.units.first?.amd?.guestVirtualApic == true)
        #expect(f.iommu.ivrs?.units.first?.deviceId == 0x0002)
        #expect(f.iommu.kernelSwitch("amd_iommu")?.meaning.contains("ignored") == true)
        let s = Self.statuses(f)
        for address in ["0000:02:00.0", "0000:02:00.1", "0000:04:00.0", "0000:04:00.1", "0000:05:00.0"] {
            #expect(s[address] == .fail, "\(address) shares chipset group 15")
        }
        let gpu = try #require(f.verdict("0000:04:00.0"))
        #expect(gpu.reasons.first == "IOMMU group 15 also holds 02:00.0 (USB controller), 02:00.1 (SATA controller), 05:00.0 (Ethernet controller): they can only be assigned together, and the host loses them")
        #expect(gpu.reasons.contains { $0.contains("03:00.0 (no ACS)") })
        #expect(f.device("0000:04:00.0")?.upstream == ["0000:00:01.2", "0000:02:00.2", "0000:03:00.0"])
        #expect(s["0000:08:00.0"] == .pass && s["0000:08:00.1"] == .pass)   // Navi 21 behind ACS switch ports
        #expect(f.verdict("0000:08:00.0")?.reasons.contains("ACS (SV RR CR UF) enabled on 00:03.1 07:00.0") == true)
        #expect(s["0000:01:00.0"] == .pass && s["0000:0a:00.3"] == .pass)
        #expect(s["0000:00:14.0"] == .warn)   // SMBus beside the LPC bridge
        #expect(s["0000:00:00.2"] == .fail)   // the IOMMU itself is in no group
        #expect(f.finding("iommu.groups")?.summary.contains("sharing a group: 02:00.0 02:00.1 04:00.0 04:00.1 05:00.0") == true)
    }

    @Test func intelServerWithManyUnitsAndAPCIeToPCIBridge() throws {
        let f = FixtureRoot("intel-server-multi-dmar")
        #expect(f.iommu.units.map(\.name) == ["dmar0", "dmar15", "dmar19"])
        let unit = try #require(f.iommu.units.first?.intel)
        #expect(unit.scalableMode && unit.pasid && unit.pasidWidth == 20 && unit.nestedTranslation && unit.postedInterrupts)
        #expect(unit.pageWalkLevels == [4, 5] && unit.addressWidth == 57)
        #expect(f.iommu.postedInterrupts == true)
        let dmar = try #require(f.iommu.dmar)
        #expect(dmar.units.count == 3 && dmar.units.filter(\.includePciAll).count == 1)
        #expect(dmar.atsReporting.first?.allPorts == true && dmar.otherStructures == [3, 5])
        let s = Self.statuses(f)
        #expect(s["0000:03:00.0"] == .warn)
        #expect(f.verdict("0000:03:00.0")?.reasons.first?.hasPrefix("conventional PCI device behind PCIe-to-PCI bridge 02:00.0") == true)
        #expect(s["0000:02:00.0"] == .notApplicable)
        #expect(s["0000:01:00.0"] == .pass && s["0000:6b:00.0"] == .pass)
        #expect(f.device("0000:6b:00.0")?.capabilities?.sriov?.totalVfs == 16)
        #expect(f.verdict("0000:6b:00.0")?.reasons.contains("SR-IOV: up to 16 virtual functions, each assignable on its own") == true)
        #expect(s["0000:00:14.0"] == .warn)   // RMRR on the USB controller
    }

    /// What a non-root run sees: 64 bytes of config space, no ACPI tables. Groups and interrupts
    /// still answer; reset, MSI and ACS become unknown with the reason, never fail.
    @Test func nonRootViewIsUnknownNotFail() throws {
        let f = FixtureRoot("nonroot-intel-desktop")
        #expect(f.finding("iommu.enabled")?.status == .pass)
        #expect(f.device("0000:01:00.0")?.capabilities?.configBytes == 64)
        let gpu = try #require(f.verdict("0000:01:00.0"))
        #expect(gpu.status == .unknown)
        #expect(gpu.reasons.contains { $0.contains("needs root") })
        #expect(!f.result.findings.contains { $0.id == "pci.passthrough" && $0.status == .fail })
        #expect(f.verdict("0000:03:00.0")?.reasons.contains("ACS of 00:1c.5 not read (extended config space needs root)") == true)
    }

    /// A vendor that is not hex, a capability loop, a unit register that is not hex, a stray
    /// group directory and a truncated DMAR: each is an error of its own source; the rest stands.
    @Test func malformedSourcesStayLocal() throws {
        let f = FixtureRoot("malformed-intel-server")
        #expect(f.iommu.errors.contains("/sys/kernel/iommu_groups/abc: not a group number"))
        #expect(f.iommu.errors.contains { $0.hasPrefix("/sys/class/iommu/dmar15: intel-iommu cap") })
        #expect(f.iommu.errors.contains("/sys/firmware/acpi/tables/DMAR: DMAR table at offset 0x0 needs 220 bytes, 70 available"))
        #expect(f.iommu.dmar == nil && f.iommu.acpi.first == "DMAR: 70 bytes, malformed")
        #expect(f.iommu.units.compactMap(\.intel).count == 2 && f.iommu.postedInterrupts == nil)
        #expect(f.finding("iommu.enabled")?.status == .pass)
        #expect(f.device("0000:01:00.0")?.errors == ["/sys/bus/pci/devices/0000:01:00.0/vendor: \"0xzz86\" is not hexadecimal"])
        #expect(f.device("0000:01:00.0")?.vendorId == "8086")   // from config space instead
        #expect(f.device("0000:00:17.0")?.errors == ["/sys/bus/pci/devices/0000:00:17.0/config: capability list loops back to offset 0x40"])
        #expect(f.device("0000:00:17.0")?.msi == true)
        let s = Self.statuses(f)
        #expect(s["0000:00:17.0"] == .unknown && s["0000:01:00.0"] == .unknown)
        #expect(s["0000:6b:00.0"] == .pass && s["0000:03:00.0"] == .warn)
    }
}
