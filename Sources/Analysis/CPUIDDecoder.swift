import HostModel
import VirtCheckData

/// Decodes CPU identity, feature bits and the hypervisor leaf from one CPU's CPUID table
/// (SVM and SEV are in `CPUIDDecoder+AMD.swift`). Held against `cpuid -f` over the corpus
/// (`scripts/compare-cpuid-corpus.sh`) and against hand-checked facts in the tests.
///
/// A leaf is only decoded when it is within the range the CPU reports (CPUID.0:EAX,
/// CPUID.80000000h:EAX): older Intel CPUs answer an out-of-range request with the data of the
/// highest basic leaf, so a dump taken blindly holds garbage there.
public enum CPUIDDecoder {
    public static func identity(_ t: CPUIDTable) -> CPUIdentity {
        var id = CPUIdentity()
        if let l0 = t.leaf(0) {
            let vendor = registerString([l0.ebx, l0.edx, l0.ecx])
            if !vendor.isEmpty { id.vendor = vendor }
        }
        if t.maxBasicLeaf >= 1, let l1 = t.leaf(1) {
            let (family, model) = displayFamilyModel(signature: l1.eax)
            id.family = family
            id.model = model
            id.stepping = Int(l1.eax & 0xF)
            id.signature = l1.eax
        }
        if t.maxExtendedLeaf >= 0x8000_0004 {
            let records = (UInt32(0x8000_0002)...0x8000_0004).compactMap { t.leaf($0) }
            if records.count == 3 {
                // NUL-terminated (SDM Vol.2A "Processor Brand String"): firmware of some AMD APUs
                // leaves text behind the terminator ("AMD Custom APU 0405\0 AmdCcxVhFf3PeiInit").
                let bytes = registerBytes(records.flatMap { [$0.eax, $0.ebx, $0.ecx, $0.edx] }).prefix { $0 != 0 }
                let brand = String(decoding: bytes, as: UTF8.self).trimmingSpaces()
                if !brand.isEmpty { id.brand = brand }
            }
        }
        return id
    }

    /// Display family and model from CPUID.1:EAX. Family adds the extended family only when the
    /// base family is 0Fh (SDM Vol.2A CPUID "Display_Family"; APM Vol.3 Fn0000_0001_EAX agree).
    /// Model takes the extended model for every base family from 6 up: the SDM names 06h and 0Fh,
    /// the APM 0Fh, and Zhaoxin's family 7 (KX-6000 = model 3Bh) needs it too; the extended model
    /// is reserved (zero) below family 6, so this is Linux's rule (arch/x86/lib/cpu.c x86_model())
    /// and gives what `cpuid -f` prints as "(family synth)" / "(model synth)".
    static func displayFamilyModel(signature eax: UInt32) -> (family: Int, model: Int) {
        let baseFamily = Int((eax >> 8) & 0xF)
        let baseModel = Int((eax >> 4) & 0xF)
        let extendedFamily = Int((eax >> 20) & 0xFF)
        let extendedModel = Int((eax >> 16) & 0xF)
        let family = baseFamily == 0xF ? baseFamily + extendedFamily : baseFamily
        let model = baseFamily >= 0x6 ? (extendedModel << 4) | baseModel : baseModel
        return (family, model)
    }

    /// Every feature of `cpuid_features.tsv`; a leaf beyond the CPU's range, or one the dump
    /// lacks, reads as false (the CPU does not offer what it cannot enumerate).
    public static func features(_ t: CPUIDTable) -> [String: Bool] {
        var out: [String: Bool] = [:]
        for f in CPUIDFeatureBit.table {
            out[f.name] = t.bit(leaf: f.leaf, subleaf: f.subleaf, register: f.register, bit: f.bit) ?? false
        }
        return out
    }

    /// CPUID.1:ECX[31] and the 0x40000000 signature. The signature is read only when that bit is
    /// set, as Linux (arch/x86/kernel/cpu/hypervisor.c) and systemd (detect_vm_cpuid) do: on bare
    /// metal, 0x40000000 is an out-of-range leaf and Intel CPUs echo the highest basic leaf there.
    public static func hypervisor(_ t: CPUIDTable) -> HypervisorFacts {
        let present = t.bit(leaf: 1, register: "ecx", bit: 31) ?? false
        guard present, let h = t.leaf(0x4000_0000) else { return HypervisorFacts(present: present) }
        var bytes = registerBytes([h.ebx, h.ecx, h.edx])
        while bytes.last == 0 { bytes.removeLast() }
        guard !bytes.isEmpty else { return HypervisorFacts(present: present) }
        let name = DataTables.hypervisorSignatures.rows.first { row in
            [row["ebx_hex"], row["ecx_hex"], row["edx_hex"]].map { $0.flatMap { Hex.parse32(Substring($0)) } }
                == [h.ebx, h.ecx, h.edx]
        }?["hypervisor"]
        return HypervisorFacts(present: present, signature: String(decoding: bytes, as: UTF8.self), name: name,
                               maxLeaf: h.eax)
    }

    /// The vendor string: little-endian register bytes as text, NULs dropped (a vendor of all
    /// NULs, as some broken guests report, is no vendor).
    static func registerString(_ regs: [UInt32]) -> String {
        String(decoding: registerBytes(regs).filter { $0 != 0 }, as: UTF8.self)
    }

    static func registerBytes(_ regs: [UInt32]) -> [UInt8] {
        regs.flatMap { r in stride(from: 0, to: 32, by: 8).map { UInt8(truncatingIfNeeded: r >> UInt32($0)) } }
    }
}

extension String {
    /// Brand strings are padded with spaces on either side (Intel right-justifies them).
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
