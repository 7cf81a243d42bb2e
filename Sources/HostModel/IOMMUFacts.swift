/// The IOMMU side of the host, decoded: whether DMA remapping is active, the units and what
/// they can do, interrupt remapping, the groups VFIO assigns, the firmware tables and the kernel
/// switches. The report's `iommu` section.
public struct IOMMUFacts: Codable, Sendable, Hashable {
    public struct Unit: Codable, Sendable, Hashable {
        public var name: String
        /// `intel`, `amd`, `virtio` (a virtio-iommu, known by its PCI ID), or the driver directory name.
        public var vendor: String?
        /// VT-d register set version (`1:0`), Intel only.
        public var version: String?
        public var intel: IntelIOMMUCapabilities?
        public var amd: AMDIOMMUFeatures?
        /// Devices this unit translates for.
        public var deviceCount: Int
        /// Why cap/ecap/features could not be decoded; the rest of the unit still counts.
        public var error: String?

        public init(name: String, vendor: String?, version: String?, intel: IntelIOMMUCapabilities?,
                    amd: AMDIOMMUFeatures?, deviceCount: Int, error: String?) {
            self.name = name
            self.vendor = vendor
            self.version = version
            self.intel = intel
            self.amd = amd
            self.deviceCount = deviceCount
            self.error = error
        }
    }

    public struct Group: Codable, Sendable, Hashable {
        public var number: Int
        /// Default domain type: `DMA`, `DMA-FQ` (translated), `identity` (iommu=pt), `blocked`.
        public var type: String?
        public var devices: [String]

        public init(number: Int, type: String?, devices: [String]) {
            self.number = number
            self.type = type
            self.devices = devices
        }
    }

    /// DMA remapping is active (groups exist). False is a fact (none exposed, or turned off);
    /// nil only when the evidence could not be read.
    public var enabled: Bool?
    /// Why `enabled` is what it is, in a sentence.
    public var enabledReason: String
    /// `intel`, `amd` or `virtio`; from the units, else the ACPI table, else the CPU vendor (for remedies).
    public var vendor: String?
    public var units: [Unit]
    /// Interrupt remapping is in use (`IR-` chips in /proc/interrupts); nil when unread.
    public var interruptRemapping: Bool?
    /// What `interruptRemapping` rests on (interrupts, ecap bits, DMAR flags, switches).
    public var interruptRemappingEvidence: [String]
    /// Every unit can post interrupts to a running guest (Intel CAP.PI, AMD GASup); nil without units.
    public var postedInterrupts: Bool?
    public var groups: [Group]
    /// How each firmware table was read: `DMAR: ok, 2 units`, `IVRS: absent`, `DMAR: denied (needs root)`.
    public var acpi: [String]
    public var dmar: DMARTable?
    public var ivrs: IVRSTable?
    public var kernelSwitches: [IOMMUKernelSwitch]
    /// /dev/vfio/vfio and the vfio modules.
    public var vfioAvailable: Bool
    public var vfioModules: [String]?
    /// Interrupts from assigned devices are trusted without remapping (vfio_iommu_type1 parameter or switch).
    public var allowUnsafeInterrupts: Bool
    /// The PCI bus shows virtio devices: a VM guest, whose IOMMU (if any) is a virtual one.
    public var virtualMachineGuest: Bool
    /// Per-source problems: a malformed sysfs value, a truncated ACPI table. Everything else still counts.
    public var errors: [String]

    public init(enabled: Bool?, enabledReason: String, vendor: String?, units: [Unit], interruptRemapping: Bool?,
                interruptRemappingEvidence: [String], postedInterrupts: Bool?, groups: [Group], acpi: [String],
                dmar: DMARTable?, ivrs: IVRSTable?, kernelSwitches: [IOMMUKernelSwitch], vfioAvailable: Bool,
                vfioModules: [String]?, allowUnsafeInterrupts: Bool, virtualMachineGuest: Bool, errors: [String]) {
        self.enabled = enabled
        self.enabledReason = enabledReason
        self.vendor = vendor
        self.units = units
        self.interruptRemapping = interruptRemapping
        self.interruptRemappingEvidence = interruptRemappingEvidence
        self.postedInterrupts = postedInterrupts
        self.groups = groups
        self.acpi = acpi
        self.dmar = dmar
        self.ivrs = ivrs
        self.kernelSwitches = kernelSwitches
        self.vfioAvailable = vfioAvailable
        self.vfioModules = vfioModules
        self.allowUnsafeInterrupts = allowUnsafeInterrupts
        self.virtualMachineGuest = virtualMachineGuest
        self.errors = errors
    }

    public func group(containing address: String) -> Group? { groups.first { $0.devices.contains(address) } }

    /// A switch by its key (`pcie_acs_override`), when on the command line.
    public func kernelSwitch(_ key: String) -> IOMMUKernelSwitch? {
        kernelSwitches.first { $0.text == key || $0.text.hasPrefix(key + "=") }
    }
}

extension IOMMUFacts {
    /// No IOMMU evidence in the input (a CPUID dump, cpuinfo): every answer stays unknown.
    public static let notCollected = IOMMUFacts(
        enabled: nil, enabledReason: "IOMMU evidence was not collected", vendor: nil, units: [], interruptRemapping: nil,
        interruptRemappingEvidence: [], postedInterrupts: nil, groups: [], acpi: [], dmar: nil, ivrs: nil,
        kernelSwitches: [], vfioAvailable: false, vfioModules: nil, allowUnsafeInterrupts: false,
        virtualMachineGuest: false, errors: [])
}
