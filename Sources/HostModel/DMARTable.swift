/// The ACPI DMA Remapping table (Intel VT-d spec rev 4.1, chapter 8): where the remapping units
/// are, which devices each covers, memory the firmware keeps DMA-mapped (RMRR) and ATS ports.
public struct DMARTable: Codable, Sendable, Hashable {
    /// A Device Scope entry (§8.3.1): the device a structure applies to, by start bus and path.
    public struct DeviceScope: Codable, Sendable, Hashable {
        /// 1 PCI endpoint, 2 PCI sub-hierarchy, 3 IOAPIC, 4 MSI-capable HPET, 5 ACPI namespace device.
        public var type: Int
        /// IOAPIC id, HPET number or ACPI device number for types 3–5.
        public var enumerationId: Int
        public var startBus: Int
        /// (device, function) pairs from the start bus down through bridges.
        public var path: [Int]

        public init(type: Int, enumerationId: Int, startBus: Int, path: [Int]) {
            self.type = type
            self.enumerationId = enumerationId
            self.startBus = startBus
            self.path = path
        }

        /// `00:02.0` when the path is one hop (no bridge to resolve), else the start bus and raw path.
        public var text: String {
            let kind = ["?", "endpoint", "bridge", "ioapic", "hpet", "acpi"][min(max(type, 0), 5)]
            var hops: [String] = []
            var i = 0
            while i + 1 < path.count {
                hops.append(Hex.digits(path[i], count: 2) + "." + String(path[i + 1], radix: 16))
                i += 2
            }
            return "\(kind) \(Hex.digits(startBus, count: 2)):\(hops.joined(separator: "/"))"
        }
    }

    /// DRHD (§8.3): one remapping hardware unit.
    public struct RemappingUnit: Codable, Sendable, Hashable {
        public var segment: Int
        /// Register base address, `0xfed90000`.
        public var registerBase: String
        /// INCLUDE_PCI_ALL: covers every device of the segment not claimed by another unit.
        public var includePciAll: Bool
        public var scopes: [DeviceScope]

        public init(segment: Int, registerBase: String, includePciAll: Bool, scopes: [DeviceScope]) {
            self.segment = segment
            self.registerBase = registerBase
            self.includePciAll = includePciAll
            self.scopes = scopes
        }
    }

    /// RMRR (§8.4): memory a device keeps using for DMA behind the OS's back (USB legacy, iGPU).
    /// Linux refuses to give such devices to VMs unless they are USB or graphics.
    public struct ReservedMemory: Codable, Sendable, Hashable {
        public var segment: Int
        public var base: String
        public var limit: String
        public var scopes: [DeviceScope]

        public init(segment: Int, base: String, limit: String, scopes: [DeviceScope]) {
            self.segment = segment
            self.base = base
            self.limit = limit
            self.scopes = scopes
        }
    }

    /// ATSR (§8.5): root ports where devices may use ATS.
    public struct ATSReporting: Codable, Sendable, Hashable {
        public var segment: Int
        public var allPorts: Bool
        public var scopes: [DeviceScope]

        public init(segment: Int, allPorts: Bool, scopes: [DeviceScope]) {
            self.segment = segment
            self.allPorts = allPorts
            self.scopes = scopes
        }
    }

    public var header: ACPITableHeader
    /// Host Address Width + 1: DMA address bits.
    public var hostAddressWidth: Int
    /// Flags bit 0: the platform supports interrupt remapping.
    public var interruptRemapping: Bool
    /// Flags bit 1: firmware asks the OS not to use x2APIC mode.
    public var x2apicOptOut: Bool
    /// Flags bit 2: firmware set up DMA protection for boot and asks the OS to keep it (Thunderbolt).
    public var dmaControlOptIn: Bool
    public var units: [RemappingUnit]
    public var reservedMemory: [ReservedMemory]
    public var atsReporting: [ATSReporting]
    /// Other structure types seen (RHSA 3, ANDD 4, SATC 5, ...), by type number.
    public var otherStructures: [Int]

    public init(header: ACPITableHeader, hostAddressWidth: Int, interruptRemapping: Bool, x2apicOptOut: Bool,
                dmaControlOptIn: Bool, units: [RemappingUnit], reservedMemory: [ReservedMemory],
                atsReporting: [ATSReporting], otherStructures: [Int]) {
        self.header = header
        self.hostAddressWidth = hostAddressWidth
        self.interruptRemapping = interruptRemapping
        self.x2apicOptOut = x2apicOptOut
        self.dmaControlOptIn = dmaControlOptIn
        self.units = units
        self.reservedMemory = reservedMemory
        self.atsReporting = atsReporting
        self.otherStructures = otherStructures
    }
}

