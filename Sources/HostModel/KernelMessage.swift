/// The kernel log messages virtcheck reads, each from the printk that writes it. The strings were
/// taken from Debian's own builds (`strings` of linux-image-6.1.0-57-amd64's vmlinux, kvm.ko,
/// kvm-intel.ko, kvm-amd.ko and of 6.12.118+deb12's modules): 6.1 prefixes KVM's messages with
/// `kvm: ` or `SVM: `, 6.4 and later with the module name (`kvm_intel: `, `kvm_amd: `).
public enum KernelMessage: Codable, Sendable, Hashable {
    /// `Linux version 6.1.0-57-amd64 (...)`: init/version.c linux_banner.
    case kernelVersion(String)
    /// `Command line: ...` (arch/x86/kernel/setup.c setup_arch) or `Kernel command line: ...`
    /// (init/main.c start_kernel).
    case commandLine(String)
    /// 6.1 arch/x86/kvm/x86.c kvm_arch_init: `kvm: no hardware support for 'kvm_intel'`; 6.4+
    /// vmx.c kvm_is_vmx_supported `kvm_intel: VMX not supported by CPU 3`, svm.c
    /// __kvm_is_svm_supported `kvm_amd: SVM not supported by CPU 3`. The module that refused.
    case kvmNoHardwareSupport(module: String)
    /// 6.1 x86.c kvm_arch_init: `kvm: support for 'kvm_intel' disabled by bios`; 6.4+ vmx.c
    /// kvm_is_vmx_supported `kvm_intel: VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL on CPU 0`;
    /// arch/x86/kernel/cpu/feat_ctl.c init_ia32_feat_ctl `x86/cpu: VMX (outside TXT) disabled by BIOS`.
    case kvmDisabledByFirmware(module: String)
    /// svm.c svm_hardware_setup: `kvm: Nested Virtualization enabled` (6.1), `kvm_amd: Nested
    /// Virtualization enabled` (6.4+): kvm_amd loaded with nested=1.
    case nestedEnabled(module: String)
    /// svm.c svm_hardware_setup: `SVM: kvm: Nested Paging enabled|disabled` (6.1), `kvm_amd:
    /// Nested Paging enabled|disabled` (6.4+): whether kvm_amd uses NPT.
    case nestedPaging(enabled: Bool)
    /// drivers/iommu/intel/iommu.c intel_iommu_init: `DMAR: Intel(R) Virtualization Technology for
    /// Directed I/O`, printed once VT-d DMA remapping is initialised.
    case intelIOMMUInitialised
    /// intel/iommu.c intel_iommu_setup: `DMAR: IOMMU enabled|disabled`, the echo of intel_iommu=on|off
    /// (a switch, not proof that remapping runs).
    case intelIOMMUSwitch(on: Bool)
    /// drivers/iommu/amd/init.c: `pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40` (an AMD IOMMU
    /// found by the driver; not proof that it translates).
    case amdIOMMUFound
    /// Interrupt remapping: on with intel/irq_remapping.c intel_enable_irq_remapping `DMAR-IR:
    /// Enabled IRQ remapping in x2apic|xapic mode` or amd/init.c `AMD-Vi: Interrupt remapping
    /// enabled`; off with `DMAR-IR: Failed to enable irq remapping. ...`, `AMD-Vi: Disabling
    /// interrupt remapping`, or drivers/vfio/vfio_iommu_type1.c vfio_iommu_type1_attach_group
    /// `vfio_iommu_type1_attach_group: No interrupt remapping support.  Use the module param
    /// "allow_unsafe_interrupts" ...` (VFIO refused a group for want of it).
    case interruptRemapping(enabled: Bool)
    /// drivers/iommu/iommu.c iommu_group_add_device: `pci 0000:00:1f.0: Adding to iommu group 9`
    /// (dev_info: the bound driver's name, `pcieport`, `e1000e`, ..., or the bus `pci`, first).
    case iommuGroup(device: String, group: Int)
    /// drivers/iommu/intel/dmar.c alloc_iommu: `DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap
    /// d2008c22260286 ecap f00f4a`: a VT-d unit with its capability registers, as sysfs
    /// intel-iommu/{version,cap,ecap} gives them.
    case intelIOMMUUnit(name: String, version: String, cap: String, ecap: String)

    /// The kinds of message, as the rule catalogue names them (`kernel-log KIND` in a rule's
    /// `evidence:`), so a rule that reads the log declares which lines decide it.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case kernelVersion = "kernel-version", commandLine = "command-line"
        case kvmNoHardwareSupport = "kvm-no-hardware-support", kvmDisabledByFirmware = "kvm-disabled-by-firmware"
        case nestedEnabled = "nested-enabled", nestedPaging = "nested-paging"
        case intelIOMMUInitialised = "intel-iommu-initialised", intelIOMMUSwitch = "intel-iommu-switch"
        case amdIOMMUFound = "amd-iommu-found", interruptRemapping = "interrupt-remapping"
        case iommuGroup = "iommu-group", intelIOMMUUnit = "intel-iommu-unit"
    }

    public var kind: Kind {
        switch self {
        case .kernelVersion: .kernelVersion
        case .commandLine: .commandLine
        case .kvmNoHardwareSupport: .kvmNoHardwareSupport
        case .kvmDisabledByFirmware: .kvmDisabledByFirmware
        case .nestedEnabled: .nestedEnabled
        case .nestedPaging: .nestedPaging
        case .intelIOMMUInitialised: .intelIOMMUInitialised
        case .intelIOMMUSwitch: .intelIOMMUSwitch
        case .amdIOMMUFound: .amdIOMMUFound
        case .interruptRemapping: .interruptRemapping
        case .iommuGroup: .iommuGroup
        case .intelIOMMUUnit: .intelIOMMUUnit
        }
    }

    /// What a message (prefixes removed, see `KernelLogParser.messagePart`) says; nil when
    /// virtcheck does not read it.
    public init?(message m: Substring) {
        func after(_ prefix: String) -> String? { m.hasPrefix(prefix) ? String(m.dropFirst(prefix.count)) : nil }
        if let rest = after("Linux version "), let release = rest.split(ascii: " ").first {
            self = .kernelVersion(String(release))
        } else if let line = after("Command line: ") ?? after("Kernel command line: ") {
            self = .commandLine(line)
        } else if let module = Self.quotedModule(m, "kvm: no hardware support for '") {
            self = .kvmNoHardwareSupport(module: module)
        } else if m.hasPrefix("kvm_intel: VMX not supported by CPU ") {
            self = .kvmNoHardwareSupport(module: "kvm_intel")
        } else if m.hasPrefix("kvm_amd: SVM not supported by CPU ") {
            self = .kvmNoHardwareSupport(module: "kvm_amd")
        } else if let module = Self.quotedModule(m, "kvm: support for '"), m.hasSuffix("' disabled by bios") {
            self = .kvmDisabledByFirmware(module: module)
        } else if m.hasPrefix("kvm_intel: VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL")
                    || m == "x86/cpu: VMX (outside TXT) disabled by BIOS" || m == "x86/cpu: VMX (inside TXT) disabled by BIOS" {
            self = .kvmDisabledByFirmware(module: "kvm_intel")
        } else if m == "kvm: Nested Virtualization enabled" || m == "kvm_amd: Nested Virtualization enabled" {
            self = .nestedEnabled(module: "kvm_amd")
        } else if let state = after("SVM: kvm: Nested Paging ") ?? after("kvm_amd: Nested Paging "), state == "enabled" || state == "disabled" {
            self = .nestedPaging(enabled: state == "enabled")
        } else if m == "DMAR: Intel(R) Virtualization Technology for Directed I/O" {
            self = .intelIOMMUInitialised
        } else if m == "DMAR: IOMMU enabled" || m == "DMAR: IOMMU disabled" {
            self = .intelIOMMUSwitch(on: m == "DMAR: IOMMU enabled")
        } else if m.hasPrefix("DMAR-IR: Enabled IRQ remapping in ") || m == "AMD-Vi: Interrupt remapping enabled" {
            self = .interruptRemapping(enabled: true)
        } else if m.hasPrefix("DMAR-IR: Failed to enable irq remapping") || m == "AMD-Vi: Disabling interrupt remapping"
                    || m.hasPrefix("vfio_iommu_type1_attach_group: No interrupt remapping support.") {
            self = .interruptRemapping(enabled: false)
        } else if let rest = after("DMAR: "), let unit = Self.dmarUnit(rest) {
            self = unit
        } else if let space = m.firstIndex(of: " "), let colon = m[space...].firstRange(of: ": ") {
            // `DRIVER 0000:00:1f.0: TEXT`
            let device = m[m.index(after: space)..<colon.lowerBound]
            let text = m[colon.upperBound...]
            guard Self.isAddress(device) else { return nil }
            if let group = text.hasPrefix("Adding to iommu group ") ? Int(text.dropFirst("Adding to iommu group ".count)) : nil {
                self = .iommuGroup(device: String(device).lowercased(), group: group)
            } else if text.hasPrefix("AMD-Vi: Found IOMMU cap ") {
                self = .amdIOMMUFound
            } else {
                return nil
            }
        } else {
            return nil
        }
    }

    /// `dmar0: reg_base_addr fed90000 ver 1:0 cap d2008c22260286 ecap f00f4a`.
    static func dmarUnit(_ rest: String) -> KernelMessage? {
        let words = rest.split(ascii: " ")
        guard words.count == 9, words[0].hasPrefix("dmar"), words[0].hasSuffix(":"), words[1] == "reg_base_addr", words[3] == "ver",
              words[5] == "cap", words[7] == "ecap", words[6].allSatisfy(\.isHexDigit), words[8].allSatisfy(\.isHexDigit),
              words[6].count <= 16, words[8].count <= 16 else { return nil }
        return .intelIOMMUUnit(name: String(words[0].dropLast()), version: String(words[4]), cap: String(words[6]), ecap: String(words[8]))
    }

    /// `kvm: no hardware support for 'kvm_amd'` → `kvm_amd`.
    static func quotedModule(_ m: Substring, _ prefix: String) -> String? {
        guard m.hasPrefix(prefix) else { return nil }
        let name = m.dropFirst(prefix.count).prefix { $0 != "'" }
        return ["kvm_intel", "kvm_amd"].contains(String(name)) ? String(name) : nil
    }

    /// `0000:00:1f.0`, as the kernel names PCI devices.
    static func isAddress(_ s: Substring) -> Bool {
        let parts = s.split(ascii: ":")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2 else { return false }
        let df = parts[2].split(ascii: ".")
        return df.count == 2 && df[0].count == 2 && df[1].count == 1
            && (parts[0] + parts[1] + df[0] + df[1]).allSatisfy(\.isHexDigit)
    }
}
