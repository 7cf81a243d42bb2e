import HostModel

/// Compares the MSRs the rules declare across every logical CPU read, bit by bit where a rule
/// reads only some bits. Which bits matter is a table here, by MSR: the firmware enables
/// (IA32_FEATURE_CONTROL lock and VMX enables, VM_CR SVMDIS and LOCK, SEAMRR's enable and lock)
/// and every bit of the VMX capability MSRs, from which kvm_intel builds the VMCS configuration it
/// requires to be identical on every CPU. MSRs outside the table (CPUID faulting's 0xCE and 0x140,
/// read for a per-task feature the kernel sets up per CPU at run time) are not compared.
enum MSRComparison {
    /// MSR index → the mask of the bits compared.
    static let comparedBits: [UInt32: UInt64] = {
        var table: [UInt32: UInt64] = [
            // SDM Vol.4 Table 2-2: bit 0 lock, bit 1 VMX inside SMX, bit 2 VMX outside SMX.
            VMXDecoder.MSR.featureControl: 0x7,
            // APM Vol.2 15.30.1: bit 3 LOCK, bit 4 SVMDIS.
            vmCR: 0x18,
            // IA32_SEAMRR_PHYS_MASK: bit 10 lock, bit 11 enabled (linux arch/x86/virt/vmx/tdx).
            ConfidentialComputingRules.seamrrMask: 0xC00,
        ]
        for index in VMXDecoder.MSR.basic...VMXDecoder.MSR.procBased3 { table[index] = .max }
        return table
    }()

    /// VM_CR (APM Vol.2 15.30.1).
    static let vmCR: UInt32 = 0xC001_0114

    /// The MSRs that differ or could not be read on some CPUs; empty when fewer than two CPUs were
    /// read. Linear in CPUs × compared MSRs (at most 8192 × 22).
    static func differences(_ msrs: MSREvidence?) -> [UInt32: MSRDifference] {
        guard let cpus = msrs?.cpus, cpus.count > 1 else { return [:] }
        let ordered = cpus.sorted { $0.cpu < $1.cpu }
        // Each CPU's reads by index once, not a scan of its list per compared MSR.
        let byIndex = ordered.map { cpu in Dictionary(cpu.reads.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first }) }
        var out: [UInt32: MSRDifference] = [:]
        for (index, mask) in comparedBits {
            guard let referencePosition = byIndex.firstIndex(where: { $0[index]?.status == .ok && $0[index]?.value != nil }),
                  let referenceValue = byIndex[referencePosition][index]?.value else { continue }
            var matching = [ordered[referencePosition].cpu]
            var differing: [MSRDifference.CPUValue] = []
            var unread: [Int] = []
            var unreadReason: String?
            for (position, reads) in byIndex.enumerated() where position != referencePosition {
                let cpu = ordered[position].cpu
                guard let read = reads[index], read.status == .ok, let value = read.value else {
                    // A CPU whose listing simply leaves the MSR out, or whose read failed: unknown.
                    unread.append(cpu)
                    if unreadReason == nil {
                        unreadReason = reads[index].map { $0.detail ?? $0.status.rawValue } ?? "not in the input"
                    }
                    continue
                }
                if value & mask != referenceValue & mask {
                    differing.append(.init(cpu: cpu, value: value))
                } else {
                    matching.append(cpu)
                }
            }
            if !differing.isEmpty || !unread.isEmpty {
                out[index] = MSRDifference(index: index, referenceCPU: ordered[referencePosition].cpu, referenceValue: referenceValue,
                                           matching: matching.sorted(), differing: differing, unread: unread, unreadReason: unreadReason)
            }
        }
        return out
    }
}
