/// The first 64 bytes of config space (readable without root): identity and, for bridges,
/// the bus range below them, which is how the topology is rebuilt without sysfs links.
public struct PCIHeader: Codable, Sendable, Hashable {
    public var vendorId: UInt16
    public var deviceId: UInt16
    /// Base class, subclass, programming interface.
    public var classCode: UInt32
    /// Header Type bits 6:0 (0 endpoint, 1 PCI-to-PCI bridge, 2 CardBus).
    public var headerType: Int
    public var multifunction: Bool
    /// Status bit 4: the capability list exists.
    public var hasCapabilities: Bool
    public var capabilityPointer: Int
    /// Type 1 headers only.
    public var secondaryBus: Int?
    public var subordinateBus: Int?

    public init(vendorId: UInt16, deviceId: UInt16, classCode: UInt32, headerType: Int, multifunction: Bool,
                hasCapabilities: Bool, capabilityPointer: Int, secondaryBus: Int?, subordinateBus: Int?) {
        self.vendorId = vendorId
        self.deviceId = deviceId
        self.classCode = classCode
        self.headerType = headerType
        self.multifunction = multifunction
        self.hasCapabilities = hasCapabilities
        self.capabilityPointer = capabilityPointer
        self.secondaryBus = secondaryBus
        self.subordinateBus = subordinateBus
    }
}
