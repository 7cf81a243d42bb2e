/// The ACPI I/O Virtualization Reporting Structure (AMD IOMMU spec 48882 rev 3.08, §5.2):
/// AMD's counterpart of DMAR, listing IOMMUs (IVHD blocks) and reserved memory (IVMD).
public struct IVRSTable: Codable, Sendable, Hashable {
    /// An IVHD device entry (§5.2.2.2): which devices (or aliases, IOAPICs, HPETs) the unit covers.
    public struct DeviceEntry: Codable, Sendable, Hashable {
        public var type: Int
        /// The requester ID (bus<<8 | devfn) the entry names; nil for entries without one.
        public var deviceId: Int?
        public var detail: String

        public init(type: Int, deviceId: Int?, detail: String) {
            self.type = type
            self.deviceId = deviceId
            self.detail = detail
        }
    }

    /// An IVHD block (types 10h, 11h, 40h): one IOMMU.
    public struct HardwareDefinition: Codable, Sendable, Hashable {
        public var type: Int
        public var flags: Int
        /// The IOMMU's own requester ID and PCI segment.
        public var deviceId: Int
        public var segment: Int
        public var capabilityOffset: Int
        public var baseAddress: String
        /// The EFR image (types 11h and 40h), in hex; nil for type 10h.
        public var efr: String?
        public var entries: [DeviceEntry]

        public init(type: Int, flags: Int, deviceId: Int, segment: Int, capabilityOffset: Int, baseAddress: String,
                    efr: String?, entries: [DeviceEntry]) {
            self.type = type
            self.flags = flags
            self.deviceId = deviceId
            self.segment = segment
            self.capabilityOffset = capabilityOffset
            self.baseAddress = baseAddress
            self.efr = efr
            self.entries = entries
        }
    }

    /// An IVMD block (types 20h–22h): memory devices keep DMA-mapped.
    public struct MemoryDefinition: Codable, Sendable, Hashable {
        public var type: Int
        public var deviceId: Int
        public var start: String
        public var length: String

        public init(type: Int, deviceId: Int, start: String, length: String) {
            self.type = type
            self.deviceId = deviceId
            self.start = start
            self.length = length
        }
    }

    public var header: ACPITableHeader
    /// IVinfo bits 14:8 and 21:15: physical and virtual address sizes.
    public var physicalAddressSize: Int
    public var virtualAddressSize: Int
    /// IVinfo bit 1: firmware asks the OS to keep DMA remapping on (DMA guard opt-in).
    public var dmaRemapOptIn: Bool
    public var units: [HardwareDefinition]
    public var memory: [MemoryDefinition]

    public init(header: ACPITableHeader, physicalAddressSize: Int, virtualAddressSize: Int, dmaRemapOptIn: Bool,
                units: [HardwareDefinition], memory: [MemoryDefinition]) {
        self.header = header
        self.physicalAddressSize = physicalAddressSize
        self.virtualAddressSize = virtualAddressSize
        self.dmaRemapOptIn = dmaRemapOptIn
        self.units = units
        self.memory = memory
    }
}
