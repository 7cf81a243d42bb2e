import HostModel

/// A guest CPU model that runs on every host of a pool, in the forms hypervisors take:
/// QEMU's `-cpu` property list and the CPUID masks to AND with each host's leaves.
public struct CPUModel: Sendable, Hashable, Codable {
    /// `host,phys-bits=N,+feat,...,-feat,...`: every catalogue feature QEMU can switch is named,
    /// on when the whole pool has it, off otherwise, so no host's extras leak into the guest.
    public var qemu: String
    /// Per (leaf, subleaf), the catalogue bits the pool shares (`cpuid -r` register order).
    public var cpuidMasks: [CPUIDLeaf]
    /// Why the model is not enough on its own (mixed vendors, bits outside the catalogue).
    public var notes: [String]

    public init(qemu: String, cpuidMasks: [CPUIDLeaf], notes: [String]) {
        self.qemu = qemu
        self.cpuidMasks = cpuidMasks
        self.notes = notes
    }

    init(common: CapabilityBits, physicalAddressBits: Int?, vendors: [String]) {
        var on: [String] = []
        var off: [String] = []
        for (i, c) in GuestCapability.catalogue.enumerated() {
            guard let name = c.qemu else { continue }
            if common.contains(i) { on.append("+" + name) } else { off.append("-" + name) }
        }
        let bits = physicalAddressBits.map { ["host-phys-bits=off", "phys-bits=\($0)"] } ?? []
        qemu = (["host", "migratable=on"] + bits + on + off).joined(separator: ",")
        cpuidMasks = CPUIDBitReader.masks(common)
        var notes: [String] = []
        if vendors.count > 1 {
            notes.append("the pool mixes CPU vendors (\(vendors.joined(separator: ", "))): no CPU model migrates live between them; baseline each vendor's hosts apart")
        }
        notes.append("features outside virtcheck's catalogue (guest_cpu_features.tsv) pass through `-cpu host` unchanged")
        self.notes = notes
    }
}
