import HostModel

/// Reads the CPUID bits of `GuestCapability.catalogue` from one CPU's table. The catalogue is
/// grouped by (leaf, subleaf) once, so each host costs one lookup per leaf rather than one per
/// bit: a baseline over the whole corpus spends its time parsing, not here.
enum CPUIDBitReader {
    private struct Group {
        var leaf: UInt32
        var subleaf: UInt32
        /// (catalogue index, register, bit)
        var bits: [(Int, Int, Int)]
    }

    private static let groups: [Group] = {
        var out: [Group] = []
        for (i, c) in GuestCapability.catalogue.enumerated() {
            guard case let .cpuid(leaf, subleaf, register, bit) = c.origin else { continue }
            if let g = out.firstIndex(where: { $0.leaf == leaf && $0.subleaf == subleaf }) {
                out[g].bits.append((i, register, bit))
            } else {
                out.append(Group(leaf: leaf, subleaf: subleaf, bits: [(i, register, bit)]))
            }
        }
        return out
    }()

    /// Every CPUID capability becomes known: a leaf beyond the CPU's range, or a leaf 7
    /// subleaf beyond CPUID.(07H,0):EAX, means the CPU lacks the bit (SDM Vol.2A: such
    /// requests return the highest basic leaf's data or zeros, never a feature).
    static func read(_ table: CPUIDTable, present: inout CapabilityBits, known: inout CapabilityBits) {
        let maxBasic = table.maxBasicLeaf
        let maxExtended = table.maxExtendedLeaf
        let maxLeaf7Subleaf = maxBasic >= 7 ? table.leaf(7)?.eax ?? 0 : 0
        for group in groups {
            let inRange = group.leaf >= 0x8000_0000 ? group.leaf <= maxExtended
                : group.leaf <= maxBasic && (group.leaf != 7 || group.subleaf <= maxLeaf7Subleaf)
            let record = inRange ? table.leaf(group.leaf, subleaf: group.subleaf) : nil
            for (index, register, bit) in group.bits {
                known.insert(index)
                guard let record else { continue }
                let value = switch register {
                case 0: record.eax
                case 1: record.ebx
                case 2: record.ecx
                default: record.edx
                }
                if (value >> UInt32(bit)) & 1 == 1 { present.insert(index) }
            }
        }
    }

    /// The catalogue bits in `bits`, as register masks per (leaf, subleaf) in catalogue order:
    /// what a hypervisor ANDs with a host's CPUID to present only those features.
    static func masks(_ bits: CapabilityBits) -> [CPUIDLeaf] {
        groups.map { group in
            var regs: [UInt32] = [0, 0, 0, 0]
            for (index, register, bit) in group.bits where bits.contains(index) { regs[register] |= 1 << UInt32(bit) }
            return CPUIDLeaf(leaf: group.leaf, subleaf: group.subleaf, eax: regs[0], ebx: regs[1], ecx: regs[2], edx: regs[3])
        }
    }
}
