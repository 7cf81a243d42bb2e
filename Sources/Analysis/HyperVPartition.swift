import HostModel

/// Tells a Windows host running on Hyper-V (the root partition) from a Hyper-V guest. Both show
/// the "Microsoft Hv" signature and hide VT-x/AMD-V; only the root holds the CreatePartitions
/// privilege (Hyper-V TLFS, "Partition Privilege Flags": CPUID.40000003H:EBX[0]). The remedy
/// differs: turn Hyper-V off on the host, or expose virtualization extensions to the guest.
enum HyperVPartition {
    static let signature = "Microsoft Hv"

    /// Nil unless the hypervisor is Hyper-V and leaf 0x40000003 was read.
    static func isRoot(_ t: CPUIDTable, hypervisor: HypervisorFacts) -> Bool? {
        guard hypervisor.signature == signature, (hypervisor.maxLeaf ?? 0) >= 0x4000_0003,
              let features = t.leaf(0x4000_0003) else { return nil }
        return features.ebx & 1 == 1
    }
}
