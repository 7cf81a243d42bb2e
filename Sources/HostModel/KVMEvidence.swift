/// What /dev/kvm says: the node, the API, capabilities, the CPUID KVM can give guests
/// (KVM_GET_SUPPORTED_CPUID: decides nesting), and the guest run.
public struct KVMEvidence: Codable, Sendable, Hashable {
    public var device: DeviceNodeEvidence
    public var apiVersion: Int?
    public var capabilities: [KVMCapability]
    /// KVM_GET_SUPPORTED_CPUID, when /dev/kvm could be opened.
    public var supportedCpuid: [CPUIDLeaf]?
    /// Nil when `--no-guest` or offline.
    public var guestRun: GuestRunEvidence?
    /// Why something above is missing (the ioctl and errno).
    public var detail: String?

    public init(device: DeviceNodeEvidence, apiVersion: Int? = nil, capabilities: [KVMCapability] = [],
                supportedCpuid: [CPUIDLeaf]? = nil, guestRun: GuestRunEvidence? = nil, detail: String? = nil) {
        self.device = device
        self.apiVersion = apiVersion
        self.capabilities = capabilities
        self.supportedCpuid = supportedCpuid
        self.guestRun = guestRun
        self.detail = detail
    }
}
