import HostModel

/// VT-x/AMD-V capabilities read from the cpuinfo `flags` line, for input that has nothing better
/// (a /proc/cpuinfo or lscpu copy without CPUID, MSRs or a `vmx flags` line).
///
/// Linux prints them from its feature words (arch/x86/include/asm/cpufeatures.h): Intel's "legacy"
/// VMX flags in word 8 (`tpr_shadow`, `vnmi`, `flexpriority`, `ept`, `vpid`, `ept_ad`, set from the
/// VMX capability MSRs: arch/x86/kernel/cpu/feat_ctl.c, before 5.8 intel.c detect_vmx_virtcap) and
/// AMD's CPUID Fn8000_000A_EDX in word 15 (`npt`, `lbrv`, `svm_lock`, `nrip_save`, `tsc_scale`,
/// `vmcb_clean`, `flushbyasid`, `decodeassists`, `pausefilter`, `pfthreshold`, `avic`,
/// `v_vmsave_vmload`, `vgif`, `x2avic`, `v_spec_ctrl`, `vnmi`, ...).
///
/// A flag's presence proves the capability. Its absence does only when the kernel that wrote the
/// line printed that word at all: some flag of the same word is there, or the line carries the
/// synthetic `cpuid` flag (Linux 4.14+, long after these words were printed). An old kernel that
/// printed none of them (hwloc's Opteron 6134 capture has `svm` and no `npt`, yet that CPU has
/// nested paging) leaves the capability unknown.
public enum KernelFlagCapabilities {
    public static let intelVMXFlags = ["tpr_shadow", "vnmi", "flexpriority", "ept", "vpid", "ept_ad"]
    public static let amdSVMFlags = ["npt", "lbrv", "svm_lock", "nrip_save", "tsc_scale", "vmcb_clean", "flushbyasid",
                                     "decodeassists", "pausefilter", "pfthreshold", "avic", "v_vmsave_vmload", "vgif",
                                     "x2avic", "v_spec_ctrl", "vnmi"]
    /// Synthetic flag printed by every kernel new enough to print both words.
    static let modernKernelMarker = "cpuid"

    /// What the flags say about `flag`, and the evidence item naming its source.
    public struct Answer: Sendable, Hashable {
        public var present: Bool
        public var evidence: EvidenceItem
    }

    /// nil when the flags cannot tell (see the type's comment) or `flag` is not one of `family`.
    public static func answer(_ flag: String, in flags: [String], family: [String]) -> Answer? {
        let set = Set(flags)
        if set.contains(flag) {
            return Answer(present: true, evidence: EvidenceItem(source: "cpuinfo flags: \(flag)", detail: "present"))
        }
        let siblings = family.filter(set.contains)
        if !siblings.isEmpty {
            return Answer(present: false, evidence: EvidenceItem(
                source: "cpuinfo flags: \(flag)",
                detail: "absent, while the kernel printed \(siblings.prefix(4).joined(separator: ", ")) of the same feature word"))
        }
        if set.contains(modernKernelMarker) {
            return Answer(present: false, evidence: EvidenceItem(
                source: "cpuinfo flags: \(flag)",
                detail: "absent; the kernel prints `\(flag)` when the CPU has it (its flags carry `cpuid`, Linux 4.14+)"))
        }
        return nil
    }
}
