import HostModel

/// The per-CPU side of the rules that read an MSR (`CPUHoldouts.msr`): which CPUs have a firmware
/// enable off while others have it on, and the evidence line that names every CPU's value, so each
/// output format (they all render the finding) names the odd CPUs.
enum PerCPUMSR {
    /// The CPUs read split by `isOff` of their value; nil unless some CPUs are off and some on.
    static func split(_ d: MSRDifference, isOff: (UInt64) -> Bool) -> (off: [Int], on: [Int])? {
        let values = d.values
        let off = values.filter { isOff($0.value) }.map(\.cpu)
        let on = values.filter { !isOff($0.value) }.map(\.cpu)
        return off.isEmpty || on.isEmpty ? nil : (off, on)
    }

    /// `0x5 on CPUs 0-1,4; 0x1 on CPUs 2-3; not read on CPU 7 (why)` for MSR `index` (`name`).
    static func evidence(_ d: MSRDifference, name: String) -> EvidenceItem {
        var groups: [(value: UInt64, cpus: [Int])] = []
        for v in d.values {
            if let i = groups.firstIndex(where: { $0.value == v.value }) {
                groups[i].cpus.append(v.cpu)
            } else {
                groups.append((v.value, [v.cpu]))
            }
        }
        var parts = groups.map { "\(Hex.format64($0.value)) on CPU\($0.cpus.count == 1 ? "" : "s") \(CPUHoldouts.list($0.cpus))" }
        if !d.unread.isEmpty {
            parts.append("not read on CPU\(d.unread.count == 1 ? "" : "s") \(CPUHoldouts.list(d.unread)) (\(d.unreadReason ?? "unknown"))")
        }
        return EvidenceItem(source: "MSR \(Hex.format32(d.index)) (\(name)) on each CPU", detail: parts.joined(separator: "; "))
    }

    /// The finding for a firmware enable read per CPU: `fail` naming the CPUs where it is off when
    /// others have it on (the kernel module checks every CPU and refuses to load); `unknown` when
    /// every CPU read has it on but some CPUs were not read; nil when the per-CPU reads add nothing
    /// to the reference CPU's verdict (all agree, or all off — the single-CPU logic says why).
    static func firmwareEnable(_ c: RuleContext, _ id: String, index: UInt32, name: String, extensionName: String,
                               module: String, how: String, isOff: (UInt64) -> Bool) -> Finding? {
        guard let d = c.facts.holdouts.msr[index] else { return nil }
        let ev = [evidence(d, name: name)]
        if let (off, on) = split(d, isOff: isOff) {
            return c.finding(id, .fail, "Firmware left \(extensionName) disabled on CPU\(off.count == 1 ? "" : "s") \(CPUHoldouts.list(off)) (\(how)) but enabled on CPU\(on.count == 1 ? "" : "s") \(CPUHoldouts.list(on)): \(module) checks every online CPU and refuses to load.",
                             evidence: ev, remedy: "cpu-mismatch")
        }
        if !d.unread.isEmpty, !isOff(d.referenceValue) {
            return c.finding(id, .unknown, "\(name) enables \(extensionName) on every CPU read, but CPU\(d.unread.count == 1 ? "" : "s") \(CPUHoldouts.list(d.unread)) could not be read (\(d.unreadReason ?? "unknown")); \(module) needs it on every online CPU.",
                             evidence: ev, remedy: c.msrRemedy)
        }
        return nil
    }
}
