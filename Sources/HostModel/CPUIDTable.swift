/// All CPUID leaves read on one logical CPU, with lookup by (leaf, subleaf).
public struct CPUIDTable: Codable, Sendable, Hashable {
    /// Logical CPU number (as in /dev/cpu/N and `cpuid -r`'s `CPU N:`).
    public var cpu: Int
    public var leaves: [CPUIDLeaf]

    public init(cpu: Int, leaves: [CPUIDLeaf]) {
        self.cpu = cpu
        self.leaves = leaves
    }

    /// The first record for (leaf, subleaf), or nil when the CPU did not report it.
    public func leaf(_ leaf: UInt32, subleaf: UInt32 = 0) -> CPUIDLeaf? {
        leaves.first { $0.leaf == leaf && $0.subleaf == subleaf }
    }

    /// Highest basic leaf (CPUID.0:EAX), 0 when leaf 0 is missing.
    public var maxBasicLeaf: UInt32 { leaf(0)?.eax ?? 0 }

    /// Highest extended leaf (CPUID.80000000h:EAX) when it is a plausible extended leaf number.
    public var maxExtendedLeaf: UInt32 {
        guard let eax = leaf(0x8000_0000)?.eax, eax >= 0x8000_0000, eax < 0x8000_1000 else { return 0 }
        return eax
    }

    /// One bit of one register, but only when the leaf is within the range the CPU reports:
    /// old CPUs echo the highest basic leaf for out-of-range requests, so reading past it
    /// would decode garbage.
    public func bit(leaf: UInt32, subleaf: UInt32 = 0, register: String, bit: Int) -> Bool? {
        let inRange: Bool
        if leaf >= 0x8000_0000 && leaf < 0x9000_0000 {
            inRange = leaf <= maxExtendedLeaf
        } else if leaf >= 0x4000_0000 && leaf < 0x5000_0000 {
            inRange = true
        } else {
            inRange = leaf <= maxBasicLeaf
        }
        guard inRange, let record = self.leaf(leaf, subleaf: subleaf), let value = record.register(register) else {
            return inRange ? false : nil
        }
        return (value >> UInt32(bit)) & 1 == 1
    }
}
