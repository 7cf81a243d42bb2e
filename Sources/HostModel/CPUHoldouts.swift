/// Logical CPUs that lack a feature some other CPU of the same host has, per feature name
/// (`vmx: [2, 3]`). Hybrid parts, firmware that set up some CPUs differently (VT-x enabled in
/// IA32_FEATURE_CONTROL on some cores only), or a hypervisor giving inconsistent vCPUs. KVM checks
/// every online CPU and refuses to load when one lacks what it needs, so a rule reading CPU 0
/// alone would pass a host KVM rejects.
public struct CPUHoldouts: Codable, Sendable, Hashable {
    /// From the CPUID of each CPU (a live read on every CPU, or a dump with `CPU N:` sections):
    /// feature name (as `CPUIDDecoder.features` names it) → CPUs whose bit is clear.
    public var cpuid: [String: [Int]]
    /// From each /proc/cpuinfo processor's `flags` and `vmx flags`: flag → `processor` numbers
    /// lacking it. Linux clears `vmx` on a CPU whose firmware left VT-x disabled.
    public var cpuinfo: [String: [Int]]
    /// From the MSRs read on each CPU (/dev/cpu/N/msr on every online CPU, or an MSR listing with
    /// `cpu N` sections): the MSRs whose compared bits differ between CPUs, or that some CPUs could
    /// not give, by index. Empty with one CPU read.
    public var msr: [UInt32: MSRDifference]

    public static let none = CPUHoldouts(cpuid: [:], cpuinfo: [:])

    public init(cpuid: [String: [Int]], cpuinfo: [String: [Int]], msr: [UInt32: MSRDifference] = [:]) {
        self.cpuid = cpuid
        self.cpuinfo = cpuinfo
        self.msr = msr
    }

    /// `2,3` or `0-7,12`: CPU numbers as Linux lists them.
    public static func list(_ cpus: [Int]) -> String {
        var parts: [String] = []
        var start: Int?, previous: Int?
        for cpu in cpus.sorted() {
            if let p = previous, cpu == p + 1 {
                previous = cpu
                continue
            }
            if let s = start, let p = previous { parts.append(s == p ? "\(s)" : "\(s)-\(p)") }
            start = cpu
            previous = cpu
        }
        if let s = start, let p = previous { parts.append(s == p ? "\(s)" : "\(s)-\(p)") }
        return parts.joined(separator: ",")
    }
}
