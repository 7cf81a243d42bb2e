import Foundation
import HostModel
import Testing
@testable import Analysis
@testable import HostProbe

/// The lab machines' own `dmesg`, `lspci -vvv` and `lspci -xxxx` (Data/hosts/lab-*/, real Linux
/// 6.1/6.12 under QEMU, see each README), given to `--from` as a user would paste them from a
/// machine virtcheck cannot run on, held to what virtcheck said from the same machines' sysfs
/// (Data/hosts/lab-*.json) and to what the lab's own programs proved there (FLR, SR-IOV, VFIO).
struct LabPastedTextTests {
    static let hosts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Data/hosts")

    static func assess(_ host: String, _ files: [String]) throws -> Assessment {
        Assessor.assess(try OfflineLoader.load(paths: files.map { hosts.appendingPathComponent("\(host)/\($0)").path }))
    }

    static func status(_ a: Assessment, _ id: String) -> FindingStatus? { a.findings.first { $0.id == id && $0.subject == nil }?.status }

    /// Pasted text and sysfs agree device by device on the passthrough verdict, and on the IOMMU
    /// and interrupt remapping; VFIO's node is not in any paste, so it stays unknown.
    @Test(arguments: ["lab-q35-intel-iommu-sriov", "lab-q35-amd-iommu"])
    func pastedTextAgreesWithSysfs(host: String) throws {
        let pasted = try Self.assess(host, ["dmesg.txt", "lspci-vvv.txt", "lspci-xxxx.txt"])
        let sysfs = Assessor.assess(try OfflineLoader.load(paths: [Self.hosts.appendingPathComponent("\(host).json").path]))
        #expect(pasted.facts.pci.devices.map(\.address) == sysfs.facts.pci.devices.map(\.address))
        let judgedPasted = PassthroughRules.assess(iommu: pasted.facts.iommu, pci: pasted.facts.pci).pci
        let judgedSysfs = PassthroughRules.assess(iommu: sysfs.facts.iommu, pci: sysfs.facts.pci).pci
        for d in judgedSysfs.devices {
            #expect(judgedPasted.device(d.address)?.passthrough?.status == d.passthrough?.status, "\(host) \(d.address)")
            #expect(judgedPasted.device(d.address)?.iommuGroup == d.iommuGroup && judgedPasted.device(d.address)?.driver == d.driver)
        }
        for id in ["iommu.enabled", "iommu.interrupt-remapping", "iommu.groups"] {
            #expect(Self.status(pasted, id) == Self.status(sysfs, id), "\(host) \(id)")
        }
        #expect(Self.status(pasted, "vfio.available") == .unknown)
    }

    /// What the lab's programs proved on intel-iommu-sriov (FLR through sysfs on the NVMe, 2 VFs
    /// through sriov_numvfs, the e1000e opened through VFIO) is what the pasted text gives.
    @Test func sriovFlrAndVfioFromText() throws {
        let a = try Self.assess("lab-q35-intel-iommu-sriov", ["dmesg.txt", "lspci-vvv.txt"])
        let nvme = try #require(a.facts.pci.device("0000:02:00.0"))
        #expect(nvme.capabilities?.sriov?.totalVfs == 2 && nvme.flr == true)
        #expect(nvme.capabilities?.lines?.contains("lspci -vvv: 02:00.0 DevCap FLReset+") == true)
        #expect(a.facts.pci.device("0000:02:00.1") != nil && a.facts.pci.device("0000:02:00.2") != nil)
        #expect(a.facts.pci.device("0000:01:00.0")?.driver == "vfio-pci")
        #expect(a.facts.pci.device("0000:00:10.0")?.acs?.control.isolates == true)
        #expect(a.facts.iommu.units.first?.intel?.interruptRemapping == true)
    }

    /// intremap=off: the VT-d unit's ecap lacks IR and VFIO refused the group ("No interrupt
    /// remapping support"): interrupt remapping fails from the log alone.
    @Test func noInterruptRemapping() throws {
        let a = try Self.assess("lab-q35-intel-iommu-no-ir", ["dmesg.txt"])
        #expect(Self.status(a, "iommu.enabled") == .pass)
        #expect(Self.status(a, "iommu.interrupt-remapping") == .fail)
        #expect(a.facts.iommu.units.first?.intel?.interruptRemapping == false)
    }

    /// virtio-iommu (6.12): groups from the log; no VT-d or AMD-Vi line, so remapping comes from
    /// VFIO's refusal.
    @Test func virtioIOMMU() throws {
        let a = try Self.assess("lab-q35-virtio-iommu", ["dmesg.txt"])
        #expect(Self.status(a, "iommu.enabled") == .pass)
        #expect(a.facts.iommu.groups.count == 4)
    }

    /// No IOMMU line at all: the log is silent, so unknown, never fail.
    @Test func silentLogIsUnknown() throws {
        let a = try Self.assess("lab-q35-no-iommu", ["dmesg.txt"])
        #expect(Self.status(a, "iommu.enabled") == .unknown)
    }

    /// kvm_amd inside the amd-npt machine (6.1): "SVM: kvm: Nested Paging enabled" and "kvm:
    /// Nested Virtualization enabled" — AMD-V and NPT pass from the log, nesting stays unknown
    /// (what KVM offers guests is not in a log), cited.
    @Test func kvmAmdLines() throws {
        let a = try Self.assess("lab-amd-epyc-npt", ["dmesg.txt"])
        #expect(Self.status(a, "cpu.svm") == .pass)
        #expect(Self.status(a, "cpu.npt") == .pass)
        let nested = a.findings.first { $0.id == "kvm.nested" }
        #expect(nested?.status == .unknown)
        #expect(nested?.evidence.contains { $0.source == "dmesg" && $0.detail.hasSuffix("kvm: Nested Virtualization enabled") } == true)
    }
}
