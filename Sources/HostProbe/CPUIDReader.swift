import CShims
import FoundationEssentials
import Glibc
import HostModel

/// Reads every CPUID leaf on every logical CPU: through the instruction with the thread pinned
/// to each CPU (live), or through `DIR/dev/cpu/N/cpuid` regular files (pread at offset
/// `subleaf << 32 | leaf` returns the 16 bytes EAX..EDX, the cpuid driver's own interface).
public enum CPUIDReader {
    /// Leaves whose subleaves are enumerated (ECX selects a sub-function), with how many to read.
    static let subleafCounts: [UInt32: UInt32] = [
        0x4: 8, 0x7: 4, 0xB: 4, 0xD: 64, 0xF: 4, 0x10: 4, 0x12: 8, 0x14: 4, 0x17: 4, 0x18: 8, 0x1A: 1,
        0x1B: 4, 0x1D: 4, 0x1E: 2, 0x1F: 6, 0x20: 4, 0x23: 4, 0x24: 2,
        0x8000_001D: 8, 0x8000_0020: 4, 0x8000_0026: 4,
    ]

    /// How long `BackgroundRun(root:cpus:)` waits for every CPU (plus its margin): far beyond the
    /// milliseconds a CPU takes, even under load.
    public static let timeoutNanoseconds: UInt64 = 20_000_000_000

    public static func read(root: HostRoot, cpus: [Int]) -> CPUIDEvidence {
        if root.isLive {
            return readInstruction(cpus: cpus)
        }
        let files = cpus.filter { root.exists("/dev/cpu/\($0)/cpuid") }
        guard !files.isEmpty else {
            return CPUIDEvidence(source: "/dev/cpu/N/cpuid", status: .absent, cpus: [], detail: "no dev/cpu/N/cpuid files in the tree")
        }
        var tables: [CPUIDTable] = []
        for cpu in files {
            guard case .success(let fd) = root.openEvidence("/dev/cpu/\(cpu)/cpuid") else { continue }
            defer { close(fd) }
            tables.append(CPUIDTable(cpu: cpu, leaves: enumerate { leaf, subleaf in
                var regs = [UInt32](repeating: 0, count: 4)
                let offset = off_t(Int64(bitPattern: UInt64(subleaf) << 32 | UInt64(leaf)))
                let n = regs.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 16, offset) }
                return n == 16 ? (regs[0], regs[1], regs[2], regs[3]) : nil
            }))
        }
        return CPUIDEvidence(source: "/dev/cpu/N/cpuid", status: tables.isEmpty ? .error : .ok, cpus: tables)
    }

    /// The instruction on each CPU in turn; a CPU that cannot be pinned (offline, cgroup) is skipped.
    static func readInstruction(cpus: [Int]) -> CPUIDEvidence {
        var saved = [UInt8](repeating: 0, count: Int(vc_affinity_size()))
        _ = saved.withUnsafeMutableBytes { vc_save_affinity($0.baseAddress) }
        defer { _ = saved.withUnsafeBytes { vc_restore_affinity($0.baseAddress) } }
        var tables: [CPUIDTable] = []
        var skipped: [Int] = []
        for cpu in cpus {
            guard vc_pin_to_cpu(Int32(cpu)) == 0 else {
                skipped.append(cpu)
                continue
            }
            tables.append(CPUIDTable(cpu: cpu, leaves: enumerate { leaf, subleaf in
                let r = vc_cpuid(leaf, subleaf)
                return (r.eax, r.ebx, r.ecx, r.edx)
            }))
        }
        let detail = skipped.isEmpty ? nil : "could not pin to CPUs \(skipped.map(String.init).joined(separator: ","))"
        return CPUIDEvidence(source: "instruction", status: tables.isEmpty ? .error : .ok, cpus: tables, detail: detail)
    }

    /// Walks the basic, hypervisor (0x40000000+) and extended ranges up to each range's maximum,
    /// with subleaves for the leaves that have them, as `cpuid -r` does.
    static func enumerate(_ query: (UInt32, UInt32) -> (UInt32, UInt32, UInt32, UInt32)?) -> [CPUIDLeaf] {
        var leaves: [CPUIDLeaf] = []
        func range(from base: UInt32, cap: UInt32) {
            guard let first = query(base, 0) else { return }
            let maxLeaf = (first.0 >= base && first.0 <= base + cap) ? first.0 : base
            for leaf in base...maxLeaf {
                let count = subleafCounts[leaf] ?? 1
                for subleaf in 0..<count {
                    guard let r = (leaf == base && subleaf == 0) ? first : query(leaf, subleaf) else { continue }
                    if subleaf > 0 && r == (0, 0, 0, 0) { continue }
                    leaves.append(CPUIDLeaf(leaf: leaf, subleaf: subleaf, eax: r.0, ebx: r.1, ecx: r.2, edx: r.3))
                }
            }
        }
        range(from: 0, cap: 0xFF)
        if let one = leaves.first(where: { $0.leaf == 1 }), (one.ecx >> 31) & 1 == 1 {
            range(from: 0x4000_0000, cap: 0xFF)
        }
        range(from: 0x8000_0000, cap: 0xFF)
        return leaves
    }
}

extension BackgroundRun where Evidence == CPUIDEvidence {
    /// `CPUIDReader.read` on a thread of its own, beside the probe's other reads. Pinning moves
    /// only that thread; the deadline bounds a host whose thousands of CPUs each take a migration.
    public convenience init(root: HostRoot, cpus: [Int]) {
        self.init(timeoutNanoseconds: CPUIDReader.timeoutNanoseconds,
                  overstayed: {
                      CPUIDEvidence(source: root.isLive ? "instruction" : "/dev/cpu/N/cpuid", status: .error, cpus: [],
                                    detail: "virtcheck's CPUID reader did not finish within \(CPUIDReader.timeoutNanoseconds / 1_000_000_000) s (its own deadline)")
                  },
                  { CPUIDReader.read(root: root, cpus: cpus) })
    }
}
