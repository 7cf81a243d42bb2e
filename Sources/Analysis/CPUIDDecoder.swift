import HostModel
import VirtCheckData

/// Decodes CPU identity, feature bits and the hypervisor leaf from one CPU's CPUID table.
/// Bit positions come from `Data/tables`; the arithmetic of family/model follows SDM Vol.2A
/// (CPUID.01H:EAX) and AMD APM Vol.3 (Fn0000_0001_EAX).
public enum CPUIDDecoder {
    public static func identity(_ t: CPUIDTable) -> CPUIdentity {
        var id = CPUIdentity()
        if let l0 = t.leaf(0) { id.vendor = registerString([l0.ebx, l0.edx, l0.ecx]) }
        if t.maxBasicLeaf >= 1, let l1 = t.leaf(1) {
            let eax = l1.eax
            let baseFamily = Int((eax >> 8) & 0xF)
            let baseModel = Int((eax >> 4) & 0xF)
            let extFamily = Int((eax >> 20) & 0xFF)
            let extModel = Int((eax >> 16) & 0xF)
            id.family = baseFamily == 0xF ? baseFamily + extFamily : baseFamily
            id.model = (baseFamily == 0x6 || baseFamily == 0xF) ? (extModel << 4) | baseModel : baseModel
            id.stepping = Int(eax & 0xF)
            id.signature = eax
        }
        if t.maxExtendedLeaf >= 0x8000_0004 {
            var regs: [UInt32] = []
            for leaf in UInt32(0x8000_0002)...0x8000_0004 {
                guard let l = t.leaf(leaf) else { break }
                regs += [l.eax, l.ebx, l.ecx, l.edx]
            }
            if regs.count == 12 {
                let brand = registerString(regs).trimmingCharacters(in: " ")
                if !brand.isEmpty { id.brand = brand }
            }
        }
        return id
    }

    /// Every feature of `cpuid_features.tsv`; a leaf beyond the CPU's range reads as false.
    public static func features(_ t: CPUIDTable) -> [String: Bool] {
        var out: [String: Bool] = [:]
        for row in DataTables.cpuidFeatures.rows {
            guard let name = row["name"], let leafText = row["leaf"], let leaf = Hex.parse32(Substring(leafText)),
                  let register = row["register"], let bit = row["bit"].flatMap({ Int($0) }) else { continue }
            let subleaf = row["subleaf"].flatMap { UInt32($0) } ?? 0
            out[name] = t.bit(leaf: leaf, subleaf: subleaf, register: register, bit: bit) ?? false
        }
        return out
    }

    public static func hypervisor(_ t: CPUIDTable) -> HypervisorFacts {
        let present = t.bit(leaf: 1, register: "ecx", bit: 31) ?? false
        guard let h = t.leaf(0x4000_0000), h.ebx != 0 || h.ecx != 0 || h.edx != 0 else {
            return HypervisorFacts(present: present)
        }
        let signature = registerString([h.ebx, h.ecx, h.edx])
        let name = DataTables.hypervisorSignatures.rows.first { row in
            [row["ebx_hex"], row["ecx_hex"], row["edx_hex"]].compactMap { $0.flatMap { Hex.parse32(Substring($0)) } }
                == [h.ebx, h.ecx, h.edx]
        }?["hypervisor"]
        return HypervisorFacts(present: present, signature: signature, name: name, maxLeaf: h.eax)
    }

    /// Little-endian register bytes as text, NULs dropped, as CPUID spells vendor and brand strings.
    static func registerString(_ regs: [UInt32]) -> String {
        var bytes: [UInt8] = []
        for r in regs {
            for shift in stride(from: 0, to: 32, by: 8) {
                let b = UInt8((r >> UInt32(shift)) & 0xFF)
                if b != 0 { bytes.append(b) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}

extension CPUIDDecoder {
    /// AMD-V details from CPUID 0x8000000A (APM Vol.3 E.4.9); nil when the leaf is out of range.
    public static func svm(_ t: CPUIDTable, vmcr: UInt64?) -> SVMFacts? {
        guard t.maxExtendedLeaf >= 0x8000_000A, let l = t.leaf(0x8000_000A) else { return nil }
        func edx(_ bit: Int) -> Bool { (l.edx >> UInt32(bit)) & 1 == 1 }
        return SVMFacts(
            revision: Int(l.eax & 0xFF), nasid: l.ebx, nestedPaging: edx(0), lbrVirt: edx(1), svmLock: edx(2),
            nripSave: edx(3), tscRateMsr: edx(4), vmcbClean: edx(5), flushByAsid: edx(6), decodeAssists: edx(7),
            pauseFilter: edx(10), pauseFilterThreshold: edx(12), avic: edx(13), vmsaveVirt: edx(15), vgif: edx(16),
            x2avic: edx(18), disabledByBios: vmcr.map { ($0 >> 4) & 1 == 1 }, vmcrLocked: vmcr.map { ($0 >> 3) & 1 == 1 })
    }

    /// Memory encryption from CPUID 0x8000001F (APM Vol.3 E.4.17); nil when out of range.
    public static func sev(_ t: CPUIDTable) -> SEVFacts? {
        guard t.maxExtendedLeaf >= 0x8000_001F, let l = t.leaf(0x8000_001F), l.eax != 0 else { return nil }
        func eax(_ bit: Int) -> Bool { (l.eax >> UInt32(bit)) & 1 == 1 }
        return SEVFacts(sme: eax(0), sev: eax(1), sevEs: eax(3), sevSnp: eax(4), vmplSupported: eax(5),
                        cbitPosition: Int(l.ebx & 0x3F), encryptedGuests: l.ecx, minSevAsid: l.edx)
    }
}
