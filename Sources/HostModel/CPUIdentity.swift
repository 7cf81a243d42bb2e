/// Who made the CPU and which one it is, decoded from CPUID leaves 0, 1 and 0x80000002-4
/// (or from cpuinfo when no CPUID is available).
public struct CPUIdentity: Codable, Sendable, Hashable {
    /// The 12-byte vendor string: `GenuineIntel`, `AuthenticAMD`, `HygonGenuine`, `CentaurHauls`, ...
    public var vendor: String?
    /// Display family/model: base plus extended fields as the SDM/APM define them.
    public var family: Int?
    public var model: Int?
    public var stepping: Int?
    /// CPUID.1:EAX, the processor signature.
    public var signature: UInt32?
    public var brand: String?
    public var logicalCpus: Int?

    public init(vendor: String? = nil, family: Int? = nil, model: Int? = nil, stepping: Int? = nil,
                signature: UInt32? = nil, brand: String? = nil, logicalCpus: Int? = nil) {
        self.vendor = vendor
        self.family = family
        self.model = model
        self.stepping = stepping
        self.signature = signature
        self.brand = brand
        self.logicalCpus = logicalCpus
    }
}
