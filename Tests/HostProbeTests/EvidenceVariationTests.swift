import Analysis
import HostModel
import HostProbe
import Testing

/// The same fixtures with one piece of evidence changed, as it would read on another host.
@Suite struct EvidenceVariationTests {
    /// Non-root reading /sys/firmware/acpi/tables/DMAR gets EACCES: the table is `denied`. Where
    /// groups exist that changes nothing; where none exist the reason says the table was unreadable.
    @Test func deniedACPITablesAreNamedNotFailed() throws {
        let denied = BinaryEvidence(source: "/sys/firmware/acpi/tables/DMAR", status: .denied, detail: "Permission denied (errno 13)")
        let withGroups = FixtureRoot("intel-desktop-gpu") { iommu, _ in iommu.dmar = denied }
        #expect(withGroups.iommu.acpi.first == "DMAR: not readable (root only)")
        #expect(withGroups.finding("iommu.enabled")?.status == .pass)

        let noGroups = FixtureRoot("kvm-guest-no-iommu") { iommu, _ in
            iommu.dmar = denied
            iommu.ivrs.status = .denied
        }
        let f = try #require(noGroups.finding("iommu.enabled"))
        #expect(f.status == .fail)
        #expect(f.summary.contains("need root to read"))
    }

    @Test func vfioMissingWhileTheIOMMUIsOnIsAWarning() {
        let f = FixtureRoot("intel-desktop-gpu") { iommu, _ in
            iommu.vfio = VFIOEvidence(containerNode: false, modules: [], allowUnsafeInterrupts: nil)
        }
        #expect(f.finding("vfio.available")?.status == .warn)
        #expect(f.finding("vfio.available")?.remediation?.contains("modprobe vfio-pci") == true)
    }

    @Test func unreadableGroupsAreUnknown() {
        let f = FixtureRoot("intel-desktop-gpu") { iommu, _ in
            iommu.groupsStatus = .denied
            iommu.groups = []
        }
        #expect(f.finding("iommu.enabled")?.status == .unknown)
        #expect(f.finding("iommu.groups")?.status == .unknown)
        #expect(f.verdict("0000:01:00.0")?.status == .unknown)
    }

    @Test func acsOverrideMakesMissingACSAFailure() throws {
        let f = FixtureRoot("amd-ryzen-chipset-group") { iommu, _ in
            iommu.commandLine.text = (iommu.commandLine.text ?? "") + " pcie_acs_override=downstream,multifunction"
        }
        #expect(f.finding("iommu.groups")?.status == .warn)
        let nic = try #require(f.verdict("0000:05:00.0"))
        #expect(nic.reasons.contains { $0.hasPrefix("ports without working ACS above it: 03:08.0 (no ACS); with pcie_acs_override") })
        let navi = try #require(f.verdict("0000:08:00.0"))
        #expect(navi.status == .warn && navi.reasons.contains { $0.hasPrefix("groups come from pcie_acs_override") })
    }

    @Test func interruptRemappingOffAndUnsafeInterrupts() throws {
        let plain = "  24:   5   0  IO-APIC    2-edge  timer\n  30:  100  20  PCI-MSIX-0000:01:00.0  0-edge  gpu\n"
        let off = FixtureRoot("intel-desktop-gpu") { iommu, _ in iommu.interrupts.text = plain }
        #expect(off.finding("iommu.interrupt-remapping")?.status == .fail)
        #expect(off.verdict("0000:03:00.0")?.status == .fail)

        let unsafe = FixtureRoot("intel-desktop-gpu") { iommu, _ in
            iommu.interrupts.text = plain
            iommu.vfio.allowUnsafeInterrupts = "Y"
        }
        let finding = try #require(unsafe.finding("iommu.interrupt-remapping"))
        #expect(finding.status == .fail && finding.summary.contains("allow_unsafe_interrupts is on"))
        #expect(unsafe.verdict("0000:03:00.0")?.status == .warn)
    }

    /// Turning VT-d off on the command line: no groups, and the remedy names the switch to remove.
    @Test func iommuTurnedOffByTheCommandLine() throws {
        let f = FixtureRoot("intel-desktop-gpu") { iommu, _ in
            iommu.groups = []
            iommu.units = []
            iommu.commandLine.text = "ro quiet intel_iommu=off"
        }
        let finding = try #require(f.finding("iommu.enabled"))
        #expect(finding.status == .fail && finding.summary.contains("intel_iommu=off"))
        #expect(finding.remediation?.contains("remove intel_iommu=off") == true)
        #expect(finding.remediation?.contains("intel_iommu=on") == true)
    }
}
