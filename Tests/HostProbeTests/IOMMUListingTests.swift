import Foundation
import HostModel
import Testing
@testable import Analysis
@testable import HostProbe

/// IOMMU group listings pasted from other machines are read as `--from` input (before: refused
/// with "not a snapshot JSON, `cpuid -r` dump, ..."). Real listings of four layouts.
struct IOMMUListingTests {
    static func load(_ name: String) throws -> Snapshot {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/iommu-listings/\(name)").path
        return try OfflineLoader.load(paths: [path])
    }

    static func group(_ s: Snapshot, holding device: String) -> IOMMUGroupEvidence? {
        s.iommu?.groups.first { $0.devices.contains(device) }
    }

    /// The Arch-wiki loop on a Z370 desktop: the GT 1030 shares group 2 with its root port, and
    /// the pasted /proc/cmdline is kept.
    @Test func oneLinePerDeviceWithTheCommandLine() throws {
        let s = try Self.load("asokolsky_duo__iommu.txt")
        #expect(s.iommu?.groups.count == 15)
        #expect(Self.group(s, holding: "0000:01:00.0")?.devices == ["0000:00:01.0", "0000:01:00.0", "0000:01:00.1"])
        #expect(s.iommu?.commandLine.text?.hasPrefix("BOOT_IMAGE=/boot/vmlinuz-6.8.0-49-generic") == true)
        let findings = Assessor.assess(s).findings
        #expect(findings.first { $0.id == "iommu.enabled" }?.status == .pass)
        #expect(findings.first { $0.id == "iommu.groups" }?.status == .pass)
        // Not in a listing: said so, never guessed.
        #expect(findings.first { $0.id == "iommu.interrupt-remapping" }?.status == .unknown)
        #expect(findings.first { $0.id == "vfio.available" }?.status == .unknown)
    }

    /// `Group N: [vvvv:dddd] [R] bb:dd.f` with USB devices and continuation lines.
    @Test func groupHeadersWithContinuationLines() throws {
        let s = try Self.load("Mistikan_hl-cluster__docs_iommu.txt")
        #expect(s.iommu?.groups.count == 16)
        #expect(Self.group(s, holding: "0000:00:14.2")?.group == "3")
        #expect(Self.group(s, holding: "0000:00:1f.5")?.devices.count == 4)
    }

    /// dmesg lines and `IOMMU Group N:` blocks, then `lspci -nnk` output that must not join the
    /// last group.
    @Test func blocksFollowedByOtherOutput() throws {
        let s = try Self.load("yyu_vm__README_iommu-dmesg-and-groups.txt")
        #expect(s.iommu?.groups.first { $0.group == "9" }?.devices == ["0000:00:07.1"])
        #expect(s.iommu?.groups.flatMap(\.devices).count == 47)
        #expect(s.iommu?.kernelLog?.text?.contains("AMD-Vi") == true)
    }

    /// A per-DMAR-unit tree of a multi-socket server: 462 groups, 483 functions.
    @Test func perUnitTree() throws {
        let s = try Self.load("EthanZHF_iommu_tools__tree.sh.output.txt")
        #expect(s.iommu?.groups.count == 462)
        #expect(s.iommu?.groups.flatMap(\.devices).count == 483)
        #expect(Self.group(s, holding: "0000:97:00.4")?.group == "50")
    }

    /// dmesg decides interrupt remapping only with a line that says it was enabled.
    @Test func kernelLogLineEnablesRemapping() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-iommu-\(UUID().uuidString).txt").path
        let text = """
            [    0.104000] DMAR-IR: Enabled IRQ remapping in x2apic mode
            IOMMU Group 0 00:00.0 Host bridge [0600]: Intel Corporation Device [8086:3ec2]
            IOMMU Group 1 00:02.0 VGA compatible controller [0300]: Intel Corporation Device [8086:3e92]
            """
        try text.write(toFile: dir, atomically: true, encoding: .utf8)
        let facts = FactsDecoder.decode(try OfflineLoader.load(paths: [dir]))
        #expect(facts.iommu.interruptRemapping == true)
        #expect(facts.iommu.interruptRemappingEvidence.contains { $0.hasPrefix("dmesg: ") })
    }
}
