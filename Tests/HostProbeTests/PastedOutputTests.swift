import Foundation
import HostModel
import Testing
@testable import Analysis
@testable import HostProbe

/// `lspci -xxxx`/`-xxx`/`-x`, `lspci -vvv`/`-nnvvvk` and dmesg text as `--from` input (before:
/// each refused with "not a snapshot JSON, `cpuid -r` dump, ..."). Real captures: this project's
/// KVM guest and an AMD host's dmesg from the corpus (Fixtures/pasted/README.md).
struct PastedOutputTests {
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/pasted/\(name)").path
    }

    static func load(_ names: String...) throws -> Snapshot {
        try OfflineLoader.load(paths: names.map(path))
    }

    static func facts(_ names: String...) throws -> PCIFacts {
        let s = try OfflineLoader.load(paths: names.map(path))
        return FactsDecoder.decode(s).pci
    }

    /// The hex dump is config space: the same bytes sysfs gives, decoded by the same decoder.
    @Test func hexDumpIsConfigSpace() throws {
        let s = try Self.load("kvm-guest__lspci-xxxx.txt")
        let devices = try #require(s.pci?.devices)
        #expect(devices.map(\.address) == ["0000:00:00.0", "0000:00:01.0", "0000:00:02.0", "0000:00:03.0", "0000:00:04.0", "0000:00:05.0"])
        #expect(devices.map { $0.config.bytes?.count } == [4096, 256, 256, 256, 256, 256])
        #expect(devices[2].vendor == "0x1af4" && devices[2].device == "0x1042" && devices[2].classCode == "0x018000")
        let pci = FactsDecoder.decode(s).pci
        let block = try #require(pci.device("0000:00:02.0"))
        #expect(block.msix == true && block.capabilities?.msix?.tableSize == 2)
        #expect(block.name == "Red Hat, Inc. Virtio 1.0 block device" && block.className == "Mass storage controller")
        #expect(block.errors.isEmpty)
        // Judged by the passthrough rules: the host bridge stays with the host; without IOMMU
        // evidence in the paste, the block device's verdict is unknown, not fail.
        let judged = PassthroughRules.assess(iommu: FactsDecoder.decode(s).iommu, pci: pci).pci
        #expect(judged.device("0000:00:00.0")?.passthrough?.status == .notApplicable)
        #expect(judged.device("0000:00:02.0")?.passthrough?.status == .unknown)
    }

    /// `-x` is 64 bytes (what non-root reads): the capability list is unread, so MSI-X is
    /// unknown, not absent; `-xxx` (256) reads it.
    @Test func shortDumpsLeaveTheRestUnknown() throws {
        let short = try Self.facts("kvm-guest__lspci-x.txt").device("0000:00:02.0")
        #expect(short?.capabilities?.configBytes == 64)
        #expect(short?.msix == nil && short?.flr == nil)
        let full = try Self.facts("kvm-guest__lspci-xxx.txt").device("0000:00:02.0")
        #expect(full?.msix == true && full?.capabilities?.standardRead == true)
    }

    /// Two real captures of one machine at one time: what `-vvv` text says about each function's
    /// capabilities equals what its bytes say (MSI, MSI-X, PCIe, FLR), and nothing is invented
    /// where the text is silent.
    @Test func verboseTextAgreesWithTheBytes() throws {
        let bytes = try Self.facts("kvm-guest__lspci-xxxx.txt")
        for name in ["kvm-guest__lspci-vvv.txt", "kvm-guest__lspci-nnvvvk.txt"] {
            let text = try Self.facts(name)
            #expect(text.devices.map(\.address) == bytes.devices.map(\.address))
            for d in text.devices {
                let b = try #require(bytes.device(d.address))
                #expect(d.msix == b.msix && d.msi == b.msi && d.flr == b.flr, "\(name) \(d.address)")
                #expect(d.capabilities?.msix == b.capabilities?.msix, "\(name) \(d.address)")
                #expect(d.capabilities?.express == b.capabilities?.express, "\(name) \(d.address)")
                #expect(d.driver == "virtio-pci" || d.address == "0000:00:00.0")
                #expect(d.errors.isEmpty, "\(d.errors)")
            }
        }
        // With -nn the IDs come from the text; the header line's class name marks the bridge.
        let nn = try Self.facts("kvm-guest__lspci-nnvvvk.txt")
        #expect(nn.device("0000:00:03.0")?.vendorId == "1af4" && nn.device("0000:00:03.0")?.deviceId == "1041")
        #expect(try Self.facts("kvm-guest__lspci-vvv.txt").device("0000:00:00.0")?.isBridgeClass == true)
        // Cited as the lines they came from.
        let lines = nn.device("0000:00:01.0")?.capabilities?.lines ?? []
        #expect(lines.contains("lspci -vvv: 00:01.0 MSI-X: Count=5"))
    }

    /// The lab's q35 machines (real config bytes; lspci -F text of them, Fixtures/pasted/README.md):
    /// for every function, what the `-vvv` text says equals what the bytes say — PCIe port type and
    /// FLR, MSI/MSI-X, power management, ACS capability and control, SR-IOV VFs, ATS/PRI/PASID —
    /// and the `-xxx` dump of the same PCIe functions leaves ACS and SR-IOV unknown.
    @Test(arguments: ["lab-q35-intel-iommu-sriov", "lab-q35-amd-iommu"])
    func verboseTextAgreesWithLabBytes(host: String) throws {
        let bytes = try Self.facts("\(host)__lspci-F-xxxx.txt")
        let text = try Self.facts("\(host)__lspci-F-vvv.txt")
        #expect(text.devices.count == bytes.devices.count && !bytes.devices.isEmpty)
        for d in text.devices {
            let b = try #require(bytes.device(d.address))
            let (tc, bc) = (try #require(d.capabilities), try #require(b.capabilities))
            #expect(tc.express == bc.express, "\(host) \(d.address)")
            #expect(tc.msi == bc.msi && tc.msix == bc.msix && tc.pmNoSoftReset == bc.pmNoSoftReset, "\(host) \(d.address)")
            #expect(tc.acs == bc.acs && tc.sriov == bc.sriov, "\(host) \(d.address)")
            #expect(tc.ats == bc.ats && tc.pri == bc.pri && tc.pasid == bc.pasid && tc.advancedFeaturesFlr == bc.advancedFeaturesFlr)
            #expect(tc.standardRead == bc.standardRead, "\(host) \(d.address)")
            // Text cannot tell "no extended capability" from "extended space unread" (lspci prints
            // none in both cases): such a PCIe function stays unknown where its bytes say "none".
            let noExtended = bc.express != nil && !bc.list.contains { $0.hasPrefix("ext:") }
            #expect(tc.extendedRead == (noExtended ? false : bc.extendedRead), "\(host) \(d.address)")
            #expect(d.flr == b.flr && d.resetMethods == b.resetMethods?.filter { $0 != "bus" }, "\(host) \(d.address)")
            #expect(d.upstream == b.upstream, "\(host) \(d.address)")
            // Without -nn a class is known only by a bridge's name or where lspci printed its code
            // (`Unclassified device [0002]`), and then it is the same.
            #expect(d.class == b.class || (d.class == nil && !b.isBridgeClass), "\(host) \(d.address)")
            #expect(d.vendorId == nil)
        }
        let short = try Self.facts("\(host)__lspci-F-xxx.txt")
        let port = try #require(short.device("0000:00:10.0"))
        #expect(port.capabilities?.express?.portType == "root-port")
        #expect(port.capabilities?.extendedRead == false && port.acs == nil)
    }

    /// The paths the passthrough rules take on those machines: the root ports' ACS enables
    /// SV RR CR UF (cited from the ACSCtl line), the NVMe PF offers 2 VFs, FLR is read from DevCap.
    @Test func sriovAcsAndFlrFromText() throws {
        let text = try Self.facts("lab-q35-intel-iommu-sriov__lspci-F-vvv.txt")
        let port = try #require(text.device("0000:00:10.0"))
        #expect(port.acs?.control.isolates == true)
        #expect(port.capabilities?.lines?.contains("lspci -vvv: 00:10.0 ACSCtl SV+ TB- RR+ CR+ UF+ EC- DT-") == true)
        let nvme = try #require(text.device("0000:02:00.0"))
        #expect(nvme.capabilities?.sriov == PCICapabilities.SRIOV(totalVfs: 2, initialVfs: 2))
        #expect(nvme.flr == true && nvme.resetMethods == ["flr"] && nvme.resetMethodsSource == "lspci")
        #expect(nvme.capabilities?.lines?.contains("lspci -vvv: 02:00.0 DevCap FLReset+") == true)
        #expect(nvme.upstream == ["0000:00:11.0"])
        // The e1000e has no FLR in DevCap: lspci says FLReset-, so FLR is false, not unknown.
        #expect(text.device("0000:01:00.0")?.flr == false)
        let judged = PassthroughRules.assess(iommu: .notCollected, pci: text).pci
        let reasons = judged.device("0000:02:00.0")?.passthrough?.reasons ?? []
        #expect(reasons.contains("SR-IOV: up to 2 virtual functions, each assignable on its own"))
        #expect(reasons.contains { $0.contains("derived from lspci -vvv: 02:00.0 DevCap FLReset+") })
        #expect(reasons.contains { $0.contains("ACS (SV RR CR UF) enabled on 00:11.0") })
    }

    /// Given together, the dump gives the bytes and the listing the driver.
    @Test func dumpAndListingTogether() throws {
        let pci = try Self.facts("kvm-guest__lspci-xxxx.txt", "kvm-guest__lspci-nnvvvk.txt")
        #expect(pci.devices.count == 6)
        #expect(pci.device("0000:00:02.0")?.driver == "virtio-pci")
        #expect(pci.device("0000:00:02.0")?.capabilities?.lines == nil)
    }

    /// dmesg of this guest: every line is one virtcheck does not read (the ring buffer had
    /// wrapped), so all are ignored, and the paste is still accepted beside cpuinfo and lspci.
    @Test func dmesgWithNothingKnownCombinedWithOtherInput() throws {
        let s = try Self.load("kvm-guest__dmesg.txt", "kvm-guest__cpuinfo.txt", "kvm-guest__lspci-vvv.txt")
        #expect(s.kernelLog?.text == "")
        #expect(s.cpuinfo != nil && s.pci?.devices.count == 6)
        #expect(s.iommu == nil)
        let a = Assessor.assess(s)
        #expect(a.findings.first { $0.id == "cpu.svm" || $0.id == "cpu.vmx" } != nil)
    }

    /// A real AMD host's grepped dmesg: its groups and `Found IOMMU cap` line are read.
    @Test func amdDmesgExcerpt() throws {
        let s = try Self.load("yyu_vm__dmesg-iommu.txt")
        #expect(s.iommu?.groups.count == 32)
        #expect(s.kernelLog?.text?.contains("AMD-Vi: Found IOMMU cap 0x40") == true)
        let findings = Assessor.assess(s).findings
        #expect(findings.first { $0.id == "iommu.enabled" }?.status == .pass)
        #expect(findings.first { $0.id == "iommu.interrupt-remapping" }?.status == .unknown)
    }

    /// Each message, as Debian's 6.1 and 6.12 builds print it (format strings from `strings` of
    /// their vmlinux and kvm modules, with %s/%d filled): what it says.
    @Test(arguments: [
        ("[    0.000000] Linux version 6.1.0-57-amd64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP", KernelMessage.kernelVersion("6.1.0-57-amd64")),
        ("[    5.100000] kvm: no hardware support for 'kvm_intel'", .kvmNoHardwareSupport(module: "kvm_intel")),
        ("[    5.100000] kvm: support for 'kvm_amd' disabled by bios", .kvmDisabledByFirmware(module: "kvm_amd")),
        ("kvm_intel: VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL on CPU 0", .kvmDisabledByFirmware(module: "kvm_intel")),
        ("[    0.100000] x86/cpu: VMX (outside TXT) disabled by BIOS", .kvmDisabledByFirmware(module: "kvm_intel")),
        ("kvm_intel: VMX not supported by CPU 3", .kvmNoHardwareSupport(module: "kvm_intel")),
        ("kvm_amd: SVM not supported by CPU 0", .kvmNoHardwareSupport(module: "kvm_amd")),
        ("[    6.2] kvm: Nested Virtualization enabled", .nestedEnabled(module: "kvm_amd")),
        ("[    6.2] SVM: kvm: Nested Paging disabled", .nestedPaging(enabled: false)),
        ("kvm_amd: Nested Paging enabled", .nestedPaging(enabled: true)),
        ("Dec 04 23:51:15 host kernel: DMAR: Intel(R) Virtualization Technology for Directed I/O", .intelIOMMUInitialised),
        ("[Thu Dec  4 23:51:15 2026] DMAR: IOMMU enabled", .intelIOMMUSwitch(on: true)),
        ("[    0.3] DMAR-IR: Enabled IRQ remapping in x2apic mode", .interruptRemapping(enabled: true)),
        ("[    0.3] AMD-Vi: Interrupt remapping enabled", .interruptRemapping(enabled: true)),
        ("[    0.3] AMD-Vi: Disabling interrupt remapping", .interruptRemapping(enabled: false)),
        ("[    0.8] pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40", .amdIOMMUFound),
        ("[    0.8] pci 0000:00:1F.0: Adding to iommu group 9", .iommuGroup(device: "0000:00:1f.0", group: 9)),
    ])
    func recognisedMessages(line: String, message: KernelMessage) throws {
        let entries = try KernelLogParser.parse(line, source: "t")
        #expect(entries.map(\.message) == [message])
    }

    /// Lines virtcheck does not read are ignored, including near misses.
    @Test func unknownLinesIgnored() throws {
        let text = """
        [    0.1] iommu: Default domain type: Translated
        [    0.2] kvm: support for 'kvm_foo' disabled by bios
        [    0.3] SVM: kvm: Nested Paging sometimes
        [    0.4] pci 0000:00:01.0: Adding to iommu group x
        """
        #expect(try KernelLogParser.parse(text, source: "t").isEmpty)
    }

    /// A kernel log that says firmware disabled VT-x fails the firmware rule and passes cpu.vmx
    /// (the CPU has it); one that says there is no VT-x fails cpu.vmx. Lines in the printk formats
    /// above; no real capture of a BIOS-disabled host exists in the corpus or the lab.
    @Test func kvmLinesDecideTheFirmwareRules() throws {
        func findings(_ line: String) throws -> [String: FindingStatus] {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paste-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = dir.appendingPathComponent("dmesg.txt")
            try (line + "\n").write(to: file, atomically: true, encoding: .utf8)
            let a = Assessor.assess(try OfflineLoader.load(paths: [file.path]))
            return Dictionary(a.findings.map { ($0.id, $0.status) }, uniquingKeysWith: { a, _ in a })
        }
        let disabled = try findings("[    4.512345] kvm: support for 'kvm_intel' disabled by bios")
        #expect(disabled["cpu.vmx.enabled-by-firmware"] == .fail)
        #expect(disabled["cpu.vmx"] == .pass)
        let missing = try findings("[    4.512345] kvm: no hardware support for 'kvm_amd'")
        #expect(missing["cpu.svm"] == .fail)
        let svm = try findings("kvm: support for 'kvm_amd' disabled by bios")
        #expect(svm["cpu.svm.enabled-by-firmware"] == .fail)
        // kvm_amd using nested paging proves the CPU has it.
        #expect(try findings("[    6.2] SVM: kvm: Nested Paging enabled")["cpu.npt"] == .pass)
        // Before this change the same file was refused as input; an unrelated line still says nothing.
        let silent = try findings("[    4.512345] kvm: Nested Virtualization enabled")
        #expect(silent["cpu.vmx.enabled-by-firmware"] != .fail && silent["cpu.svm.enabled-by-firmware"] != .fail)
    }

    /// Strict detection and one-line errors: truncated dumps, sizes lspci never prints, repeated
    /// functions, and text that only starts like lspci.
    @Test(arguments: [
        ("00:00.0 Host bridge: Intel\n00: 86 80 57 0d 00 00 00 00 00 00 00 06 00 00 00 00\n", "16 bytes of config space"),
        ("00:00.0 Host bridge: Intel\n00: 86 80 57 0d 00 00 00 00 00 00 00 06 00 00 00 00\n20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n", "offset 20 after 16 bytes"),
        ("00:00.0 Host bridge: Intel\n\tControl: I/O-\n00:00.0 Host bridge: Intel\n\tControl: I/O-\n", "listed twice"),
        ("00:00.0 Host bridge: Intel\n00: 86 80 57 0d 00 00 00 00 00 00 00 06 00 00 00 00\nhello\n", "not lspci -xxxx output"),
    ])
    func badLspciInput(text: String, message: String) throws {
        #expect(LspciParser.kind(of: text[...]) != nil)
        do {
            _ = try LspciParser.parse(text, source: "t")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(message), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }

    /// Plain `lspci` (no detail lines) and other text are not taken for lspci output.
    @Test func plainLspciIsNotEvidence() {
        #expect(LspciParser.kind(of: "00:00.0 Host bridge: Intel\n00:01.0 PCI bridge: Intel\n") == nil)
        #expect(LspciParser.kind(of: "processor\t: 0\nvendor_id\t: GenuineIntel\n") == nil)
        #expect(!KernelLogParser.looksLikeKernelLog("processor\t: 0\nvendor_id\t: GenuineIntel\n"))
        #expect(!KernelLogParser.looksLikeKernelLog("Architecture: x86_64\n"))
    }
}
