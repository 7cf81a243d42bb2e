/// Whether code runs under a hypervisor, and which: CPUID.1:ECX[31] and the 0x40000000 signature.
public struct HypervisorFacts: Codable, Sendable, Hashable {
    public var present: Bool
    /// The 12-byte signature with trailing NULs removed (`KVMKVMKVM`, `Microsoft Hv`, ...).
    public var signature: String?
    /// Human name from the signature table (`KVM`, `Microsoft Hyper-V`, ...).
    public var name: String?
    /// CPUID.40000000h:EAX, the highest hypervisor leaf.
    public var maxLeaf: UInt32?
    /// Hyper-V only: CPUID.40000003H:EBX[0] (CreatePartitions), set in the root partition - the
    /// Windows host itself running on Hyper-V - and clear in guests. Nil for other hypervisors.
    public var hyperVRootPartition: Bool?

    public init(present: Bool, signature: String? = nil, name: String? = nil, maxLeaf: UInt32? = nil) {
        self.present = present
        self.signature = signature
        self.name = name
        self.maxLeaf = maxLeaf
    }
}
