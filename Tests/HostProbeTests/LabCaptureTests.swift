import Analysis
import Foundation
import HostModel
import HostProbe
import Testing

/// Trees captured from the lab's machines: Debian's Linux 6.1 (6.12 for virtio-iommu) under QEMU 7.2 (TCG), copied by
/// `scripts/lab --capture` (provenance in each root's README.md). Nothing in them is hand-made:
/// the config spaces, DMAR/IVRS tables, IOMMU registers and groups are what the guest kernel
/// gave, and what the lab's own programs did in the same machine is in docs/lab.md (VFIO opened
/// the e1000e, FLR through sysfs worked on the nvme PF and was refused on the e1000e, the nvme
/// made two VFs through sriov_numvfs).
@Suite struct LabCaptureTests {
    @Test func intelIOMMUWithSRIOVAndAVFIOBoundDevice() throws {
        let f = FixtureRoot("lab-q35-intel-iommu-sriov", cpuVendor: "GenuineIntel")
        #expect(f.iommu.vendor == "intel" && f.iommu.units.map(\.name) == ["dmar0"])
        let dmar0 = try #require(f.iommu.units.first?.intel)
        // cap d2008c22260286 / ecap f00f4a: QEMU's VT-d model (VT-d spec 11.4.2, 11.4.3).
        #expect(dmar0.interruptRemapping && !dmar0.postedInterrupts && dmar0.addressWidth == 39)
        #expect(f.iommu.dmar?.units.count == 1)
        #expect(f.iommu.groups.count == 9)
        for id in ["iommu.enabled", "iommu.interrupt-remapping", "iommu.groups", "vfio.available"] {
            #expect(f.finding(id)?.status == .pass, "\(id)")
        }
        // The e1000e behind root port 00:10.0, bound to vfio-pci: no FLR (pm and bus resets).
        let nic = try #require(f.device("0000:01:00.0"))
        #expect(nic.driver == "vfio-pci" && nic.flr == false && nic.resetMethods == ["pm", "bus"])
        #expect(nic.upstream == ["0000:00:10.0"] && nic.msix == true)
        #expect(f.verdict("0000:01:00.0")?.status == .pass)
        // The root port's ACS capability (extended ID 0Dh) as QEMU builds it.
        let acs = try #require(f.device("0000:00:10.0")?.acs)
        #expect(acs.capability.sourceValidation && acs.capability.requestRedirect && acs.capability.completionRedirect
                && acs.capability.upstreamForwarding && !acs.capability.egressControl)
        // The nvme PF: FLR and SR-IOV (2 VFs), its two VFs in groups of their own.
        let pf = try #require(f.device("0000:02:00.0"))
        #expect(pf.flr == true && pf.resetMethods == ["flr", "bus"] && pf.driver == "nvme")
        #expect(pf.capabilities?.sriov == PCICapabilities.SRIOV(totalVfs: 2, initialVfs: 2))
        let vfs = f.pciEvidence.devices.filter { $0.physicalFunction == "0000:02:00.0" }.map(\.address)
        #expect(vfs == ["0000:02:00.1", "0000:02:00.2"])
        #expect(Set(vfs.compactMap { f.device($0)?.iommuGroup }).count == 2)
        // ICH9's LPC, SATA and SMBus share one group, as on the real chipset.
        #expect(f.iommu.groups.first { $0.devices.contains("0000:00:1f.0") }?.devices.count == 3)
    }

    @Test func amdIOMMUWithAVFIOBoundDevice() throws {
        let f = FixtureRoot("lab-q35-amd-iommu", cpuVendor: "AuthenticAMD")
        #expect(f.iommu.vendor == "amd" && f.iommu.ivrs != nil && f.iommu.dmar == nil)
        #expect(f.iommu.units.count == 1 && f.iommu.units.first?.amd != nil)
        #expect(f.finding("iommu.enabled")?.status == .pass)
        #expect(f.finding("iommu.interrupt-remapping")?.status == .pass)
        #expect(f.device("0000:01:00.0")?.driver == "vfio-pci")
        #expect(f.verdict("0000:01:00.0")?.status == .pass)
    }

    /// The lab's virtio-iommu machine (Debian's 6.12: 6.1 has no virtio-iommu driver): groups
    /// without DMAR or IVRS, and the lab's VFIO program had VFIO_SET_IOMMU refused (EPERM, "No
    /// interrupt remapping support") although the e1000e's group was viable. virtcheck named the
    /// IOMMU after the CPU ("amd") and told the user to turn interrupt remapping on in firmware.
    @Test func virtioIOMMUGivesGroupsButNoInterruptRemapping() throws {
        let f = FixtureRoot("lab-q35-virtio-iommu", cpuVendor: "AuthenticAMD")
        #expect(f.iommu.dmar == nil && f.iommu.ivrs == nil && f.iommu.acpi == ["DMAR: absent", "IVRS: absent"])
        // The unit is named after the virtio-pci function (1af4:1057) that carries it.
        #expect(f.iommu.units.map(\.name) == ["0000:00:02.0"] && f.iommu.units.first?.vendor == "virtio")
        #expect(f.iommu.vendor == "virtio")
        #expect(f.iommu.enabled == true && f.iommu.groups.count == 4 && f.iommu.interruptRemapping == false)
        #expect(f.finding("iommu.enabled")?.status == .pass)
        let remapping = try #require(f.finding("iommu.interrupt-remapping"))
        #expect(remapping.status == .fail && remapping.summary.contains("virtio-iommu"))
        #expect(remapping.remediation?.contains("intel-iommu,intremap=on") == true && remapping.remediation?.contains("firmware setup") == false)
        let nic = try #require(f.verdict("0000:01:00.0"))
        #expect(f.device("0000:01:00.0")?.driver == "vfio-pci" && nic.status == .fail)
        #expect(nic.remediation?.contains("virtio-iommu") == true && nic.remediation?.contains("intremap=off") == false)
        // ICH9's SATA and SMBus functions have no driver here, hence no group yet (VIOT is applied at probe).
        #expect(f.verdict("0000:00:1f.3")?.reasons.first { $0.hasPrefix("in no IOMMU group") }?.contains("driver binds") == true)
    }

    /// intel_iommu=off turns DMA remapping off but not DMAR-IR: the lab's intel-iommu-off machine
    /// logged "DMAR-IR: Enabled IRQ remapping in xapic mode" with no groups. Its evidence is the
    /// intel-iommu-sriov tree with the groups gone and the switch on the command line, which is what
    /// that machine's kernel gave (/proc/interrupts still IR-). virtcheck said "not remapped".
    @Test func intelIOMMUOffKeepsInterruptRemapping() throws {
        let f = FixtureRoot("lab-q35-intel-iommu-sriov", cpuVendor: "GenuineIntel") { iommu, _ in
            iommu.groups = []
            iommu.commandLine.text = "console=ttyS0 panic=-1 intel_iommu=off"
        }
        #expect(f.iommu.enabled == false && f.iommu.interruptRemapping == true)
        #expect(f.finding("iommu.enabled")?.status == .fail && f.finding("iommu.enabled")?.remediation?.contains("remove intel_iommu=off") == true)
        let remapping = try #require(f.finding("iommu.interrupt-remapping"))
        #expect(remapping.status == .pass && remapping.summary.contains("DMA remapping is off"))
    }

    @Test func amdEPYCWithNestedPagingHasNoIOMMU() throws {
        let f = FixtureRoot("lab-amd-epyc-npt", cpuVendor: "AuthenticAMD")
        #expect(f.finding("iommu.enabled")?.status == .fail)
        #expect(f.iommu.acpi == ["DMAR: absent", "IVRS: absent"])
        // The whole tree through the live code path: CPUID from its cpuid-r.txt, kvm_amd's parameters.
        let snapshot = LiveProbe.snapshot(root: HostRoot(path: FixtureRoot.path("lab-amd-epyc-npt"), isLive: false),
                                          options: .init(runGuest: false, plan: RuleCatalogue.builtIn.evidencePlan))
        let a = Assessor.assess(snapshot)
        #expect(a.facts.svm?.nestedPaging == true)
        #expect(a.findings.first { $0.id == "cpu.npt" }?.status == .pass)
        #expect(snapshot.kernel?.modules.first { $0.name == "kvm_amd" }?.parameters.first { $0.name == "nested" }?.value == "1")
    }

    /// The lab machine without /dev/kvm (an Intel CPU model, no VT-x under TCG): live, virtcheck said
    /// no accelerated VMs there (docs/lab.md, intel-iommu-sriov); its snapshot, analysed anywhere,
    /// must say the same, not "unknown: captured input" (the lab found the two disagreeing).
    /// The lab's Bochs machine (`intel-vmx-ept`: Bochs 2.7's own VMX, model corei7_skylake_x, Debian's
    /// 6.1 with kvm_intel loaded as `nested=1` only): the VMX capability MSRs as a real kvm_intel
    /// host gives them, and the two capabilities kvm_intel switched off by itself (enable_apicv and
    /// preemption_timer read N): no posted interrupts, and a preemption-timer rate of 0. virtcheck
    /// told the user to reload kvm_intel with the parameter set, which cannot help.
    @Test func bochsVTxMachineAndTheCapabilitiesKVMTurnsOff() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Data/hosts/lab-bochs-skylake-x.json").path
        let snapshot = try OfflineLoader.load(paths: [path])
        let a = Assessor.assess(snapshot)
        #expect(a.verdict.canRunVms == true && a.verdict.acceleration == .hardware)
        let vmx = try #require(a.facts.vmx)
        #expect(vmx.source == .msr && vmx.ept == true && vmx.unrestrictedGuest == true && vmx.vpid == true)
        #expect(vmx.postedInterrupts == false && vmx.misc?.preemptionTimerRate == 0)
        for id in ["cpu.vmx", "cpu.vmx.enabled-by-firmware", "cpu.ept", "cpu.unrestricted-guest", "cpu.vpid", "kvm.guest-run"] {
            #expect(a.findings.first { $0.id == id }?.status == .pass, "\(id)")
        }
        let apicv = try #require(a.findings.first { $0.id == "cpu.apicv" })
        #expect(apicv.status == .warn && apicv.summary.contains("posted interrupts"))
        #expect(apicv.remediation == RuleCatalogue.builtIn.remediation("cpu.apicv", "kvm-turns-off"))
        let timer = try #require(a.findings.first { $0.id == "cpu.preemption-timer" })
        #expect(timer.status == .warn && timer.summary.contains("IA32_VMX_MISC[4:0] = 0"))
        #expect(timer.remediation == RuleCatalogue.builtIn.remediation("cpu.preemption-timer", "kvm-turns-off"))
    }

    @Test func snapshotWithoutDevKVMKeepsTheLiveVerdict() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Data/hosts/lab-q35-intel-iommu-sriov.json").path
        let snapshot = try OfflineLoader.load(paths: [path])
        #expect(snapshot.kvm?.device.present == false)
        let a = Assessor.assess(snapshot)
        #expect(a.verdict.canRunVms == false && a.verdict.acceleration == Verdict.Acceleration.none)
        #expect(a.findings.first { $0.id == "kvm.guest-run" }?.status == .fail)
    }
}
