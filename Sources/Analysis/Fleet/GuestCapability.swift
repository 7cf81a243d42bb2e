import HostModel
import VirtCheckData

/// One thing a VM can come to depend on while it runs on a host: a CPUID feature bit the
/// hypervisor passes through, a VT-x/AMD-V capability a nested hypervisor inside the guest
/// uses, TSC scaling, or confidential computing. A live migration is safe only when the target
/// offers every one the source exposed, so `diff` and `baseline` compare hosts by these.
public struct GuestCapability: Sendable, Hashable, Codable {
    /// Where the capability is read.
    public enum Origin: Sendable, Hashable, Codable {
        /// A CPUID bit (`register`: 0 eax, 1 ebx, 2 ecx, 3 edx).
        case cpuid(leaf: UInt32, subleaf: UInt32, register: Int, bit: Int)
        /// Decoded facts (VMX/SVM capabilities, SEV, TDX), not a single CPUID bit.
        case facts
    }

    /// Report name: the Linux cpuinfo flag for CPUID bits, `vmx.*`/`svm.*` for nesting capabilities.
    public var name: String
    /// The /proc/cpuinfo flag that shows it, when Linux shows one (used when only flags are known).
    public var linuxFlag: String?
    /// QEMU's `-cpu` property, when QEMU can switch it per guest.
    public var qemu: String?
    /// `base`, `simd`, `avx512`, `amx`, `crypto`, `memory`, `security`, `mitigation`, `tsx`, `tsc`,
    /// `nesting`, `confidential`, `other`.
    public var category: String
    public var origin: Origin
    /// Where the bit is defined (SDM/APM section, Linux cpufeatures.h).
    public var source: String

    public init(name: String, linuxFlag: String?, qemu: String?, category: String, origin: Origin, source: String) {
        self.name = name
        self.linuxFlag = linuxFlag
        self.qemu = qemu
        self.category = category
        self.origin = origin
        self.source = source
    }
}

extension GuestCapability {
    /// Every capability compared, in a fixed order (bit `i` of a `CapabilityBits` is entry `i`):
    /// the rows of `guest_cpu_features.tsv`, then the capabilities decoded from facts.
    public static let catalogue: [GuestCapability] = cpuidRows() + derived

    /// Index of each capability by name.
    public static let indexByName: [String: Int] = {
        var out: [String: Int] = [:]
        for (i, c) in catalogue.enumerated() { out[c.name] = i }
        return out
    }()

    private static func cpuidRows() -> [GuestCapability] {
        let registers = ["eax": 0, "ebx": 1, "ecx": 2, "edx": 3]
        return DataTables.guestCPUFeatures.rows.compactMap { row in
            guard let name = row["name"], let leaf = row["leaf"].flatMap({ Hex.parse32(Substring($0)) }),
                  let subleaf = row["subleaf"].flatMap({ UInt32($0) }),
                  let register = row["register"].flatMap({ registers[$0] }),
                  let bit = row["bit"].flatMap({ Int($0) }), bit >= 0, bit < 32 else { return nil }
            let linux = row["linux"].flatMap { $0 == "-" || $0.isEmpty ? nil : $0 }
            return GuestCapability(name: name, linuxFlag: linux, qemu: row["qemu"], category: row["category"] ?? "other",
                                   origin: .cpuid(leaf: leaf, subleaf: subleaf, register: register, bit: bit),
                                   source: row["source"] ?? "")
        }
    }

    /// Capabilities that are not one CPUID bit of the host: VT-x controls live in the
    /// IA32_VMX_* MSRs (SDM Vol.3 Appendix A), AMD-V's in CPUID 8000000Ah (APM Vol.3 E.4.9),
    /// SEV in 8000001Fh (E.4.17), TDX in IA32_MKTME_KEYID_PARTITIONING (MSR 87h). Columns:
    /// name, cpuinfo flag (Linux shows AMD-V's and SEV's; VT-x's are in `vmx flags`, which
    /// VMXDecoder reads), QEMU property, category, source.
    static let derived: [GuestCapability] = [
        ("vmx.ept", nil, "vmx-ept", "nesting", "SDM Vol.3 A.3.3 secondary controls bit 1"),
        ("vmx.vpid", nil, "vmx-vpid", "nesting", "SDM Vol.3 A.3.3 secondary controls bit 5"),
        ("vmx.unrestricted_guest", nil, "vmx-unrestricted-guest", "nesting", "SDM Vol.3 A.3.3 secondary controls bit 7"),
        ("vmx.vmcs_shadowing", nil, "vmx-shadow-vmcs", "nesting", "SDM Vol.3 A.3.3 secondary controls bit 14"),
        ("vmx.apic_register_virtualization", nil, "vmx-apicv-register", "nesting", "SDM Vol.3 A.3.3 secondary controls bit 8"),
        ("vmx.virtual_interrupt_delivery", nil, "vmx-apicv-vid", "nesting", "SDM Vol.3 A.3.3 secondary controls bit 9"),
        ("vmx.posted_interrupts", nil, "vmx-posted-intr", "nesting", "SDM Vol.3 A.3.1 pin-based controls bit 7"),
        ("vmx.pml", nil, "vmx-pml", "nesting", "SDM Vol.3 A.3.3 secondary controls bit 17"),
        ("vmx.ept_5level", nil, "vmx-page-walk-5", "nesting", "SDM Vol.3 A.10 IA32_VMX_EPT_VPID_CAP bit 7"),
        ("vmx.ept_accessed_dirty", nil, "vmx-eptad", "nesting", "SDM Vol.3 A.10 IA32_VMX_EPT_VPID_CAP bit 21"),
        ("vmx.mbec", nil, nil, "nesting", "SDM Vol.3 A.3.3 secondary controls bit 22"),
        ("vmx.preemption_timer", nil, "vmx-preemption-timer", "nesting", "SDM Vol.3 A.3.1 pin-based controls bit 6"),
        ("vmx.vmfunc", nil, "vmx-vmfunc", "nesting", "SDM Vol.3 A.3.3 secondary controls bit 13"),
        ("vmx.tsc_scaling", nil, "vmx-tsc-scaling", "tsc", "SDM Vol.3 A.3.3 secondary controls bit 25"),
        ("svm.npt", "npt", "npt", "nesting", "APM Vol.3 E.4.9 Fn8000_000A_EDX[0]"),
        ("svm.lbr_virt", "lbrv", "lbrv", "nesting", "APM Vol.3 E.4.9 Fn8000_000A_EDX[1]"),
        ("svm.nrip_save", "nrip_save", "nrip-save", "nesting", "APM Vol.3 E.4.9 Fn8000_000A_EDX[3]"),
        ("svm.tsc_rate_msr", "tsc_scale", "tsc-scale", "tsc", "APM Vol.3 E.4.9 Fn8000_000A_EDX[4] TscRateMsr"),
        ("svm.vmcb_clean", "vmcb_clean", "vmcb-clean", "nesting", "APM Vol.3 E.4.9 Fn8000_000A_EDX[5]"),
        ("svm.flush_by_asid", "flushbyasid", "flushbyasid", "nesting", "APM Vol.3 E.4.9 Fn8000_000A_EDX[6]"),
        ("svm.decode_assists", "decodeassists", "decodeassists", "nesting", "APM Vol.3 E.4.9 Fn8000_000A_EDX[7]"),
        ("svm.pause_filter", "pausefilter", "pause-filter", "nesting", "APM Vol.3 E.4.9 Fn8000_000A_EDX[10]"),
        ("svm.avic", "avic", "avic", "nesting", "APM Vol.3 E.4.9 Fn8000_000A_EDX[13]"),
        ("svm.vmsave_virt", "v_vmsave_vmload", "v-vmsave-vmload", "nesting", "APM Vol.3 E.4.9 Fn8000_000A_EDX[15]"),
        ("svm.vgif", "vgif", "vgif", "nesting", "APM Vol.3 E.4.9 Fn8000_000A_EDX[16]"),
        ("svm.x2avic", "x2avic", nil, "nesting", "APM Vol.3 E.4.9 Fn8000_000A_EDX[18]"),
        ("sev", "sev", nil, "confidential", "APM Vol.3 E.4.17 Fn8000_001F_EAX[1]"),
        ("sev_es", "sev_es", nil, "confidential", "APM Vol.3 E.4.17 Fn8000_001F_EAX[3]"),
        ("sev_snp", "sev_snp", nil, "confidential", "APM Vol.3 E.4.17 Fn8000_001F_EAX[4]"),
        ("tdx", nil, nil, "confidential", "Intel TDX module spec: IA32_MKTME_KEYID_PARTITIONING (87h)[63:32] TDX private KeyIDs; Linux flag tdx_host_platform"),
    ].map { name, linux, qemu, category, source in
        GuestCapability(name: name, linuxFlag: linux, qemu: qemu, category: category, origin: .facts, source: source)
    }
}
