import Analysis
import HostModel
import Testing
import VirtCheckData

/// Dumps that are wrong on purpose or by accident: leaves beyond the reported range, missing
/// leaves, zeroed or garbage vendor and range leaves. The decoder must neither crash nor read
/// features out of them.
@Suite struct CPUIDRobustnessTests {
    private func leaf(_ n: UInt32, _ sub: UInt32 = 0, _ eax: UInt32, _ ebx: UInt32 = 0, _ ecx: UInt32 = 0, _ edx: UInt32 = 0) -> CPUIDLeaf {
        CPUIDLeaf(leaf: n, subleaf: sub, eax: eax, ebx: ebx, ecx: ecx, edx: edx)
    }

    /// Leaf 0 of an AMD CPU with the given maximum basic leaf.
    private func amd0(_ max: UInt32) -> CPUIDLeaf { leaf(0, 0, max, 0x6874_7541, 0x444D_4163, 0x6974_6E65) }

    @Test func quarkLeaf7BeyondTheRangeIsIgnored() throws {
        // Real dump: CPUID.0:EAX = 2, yet leaf 7 says SMEP (cpuid -f believes it; the SDM does not).
        let t = try CPUIDFixtures.table("instlatx64-unfiltered/GenuineIntel/GenuineIntel0000590_Clanton_03_CPUID.txt.cpuid-r.txt")
        #expect(t.leaf(7)?.ebx == 0x80)
        let id = CPUIDDecoder.identity(t)
        #expect(id.family == 5 && id.model == 9 && id.brand == nil)
        #expect(CPUIDDecoder.features(t)["smep"] == false)
    }

    @Test func intelEchoOfTheHighestBasicLeafIsIgnored() throws {
        // A Pentium M (CPUID.0:EAX = 2, 0x80000000:EAX = 0x80000008) read blindly: Intel returns
        // leaf 2's registers for every leaf above the range (SDM Vol.2A CPUID, "INPUT EAX = 0").
        var t = try CPUIDFixtures.table("rjcp-cpuid-xml/contrib/users/GenuineIntel00006D8 (Intel(R) Pentium(R) M processor 2.00GHz, Dell M70).xml.cpuid-r.txt")
        let echo = try #require(t.leaf(2))
        #expect(echo.ebx >> 7 & 1 == 1 && echo.edx >> 18 & 1 == 1 && echo.eax & 1 == 1)  // SMEP, PCONFIG, SME if misread
        for n: UInt32 in [4, 7, 0xB, 0xD, 0x4000_0000, 0x4000_0001, 0x8000_000A, 0x8000_001F] {
            t.leaves.append(leaf(n, 0, echo.eax, echo.ebx, echo.ecx, echo.edx))
        }
        let features = CPUIDDecoder.features(t)
        #expect(features["smep"] == false && features["pconfig"] == false && features["umip"] == false)
        #expect(CPUIDDecoder.sev(t) == nil)
        #expect(CPUIDDecoder.svm(t, vmcr: nil) == nil)
        let hv = CPUIDDecoder.hypervisor(t)
        #expect(!hv.present && hv.signature == nil)  // CPUID.1:ECX[31] is clear: 0x40000000 is not read
        #expect(CPUIDDecoder.identity(t).brand == "Intel(R) Pentium(R) M processor 2.00GHz")
    }

    @Test func emptyTable() {
        let t = CPUIDTable(cpu: 0, leaves: [])
        #expect(CPUIDDecoder.identity(t) == CPUIdentity())
        #expect(CPUIDDecoder.features(t).values.allSatisfy { !$0 })
        #expect(CPUIDDecoder.hypervisor(t) == HypervisorFacts(present: false))
        #expect(CPUIDDecoder.svm(t, vmcr: 0) == nil)
        #expect(CPUIDDecoder.sev(t) == nil)
    }

    @Test func zeroVendorAndNoLeaf1() {
        let t = CPUIDTable(cpu: 0, leaves: [leaf(0, 0, 0), leaf(1, 0, 0x0000_06FD, 0, 0xFFFF_FFFF, 0xFFFF_FFFF)])
        let id = CPUIDDecoder.identity(t)
        #expect(id.vendor == nil)
        #expect(id.family == nil && id.model == nil)  // leaf 1 is beyond CPUID.0:EAX = 0
        #expect(CPUIDDecoder.features(t)["vmx"] == false)
        #expect(!CPUIDDecoder.hypervisor(t).present)
    }

    @Test(arguments: [0x0000_000A, 0xFFFF_FFFF, 0x8000_1000, 0] as [UInt32])
    func implausibleExtendedRange(_ max: UInt32) {
        let t = CPUIDTable(cpu: 0, leaves: [
            amd0(1), leaf(1, 0, 0x00A0_0F11),
            leaf(0x8000_0000, 0, max), leaf(0x8000_0001, 0, 0, 0, 0xFFFF_FFFF, 0xFFFF_FFFF),
            leaf(0x8000_0002, 0, 0x2044_4D41), leaf(0x8000_0003, 0, 0), leaf(0x8000_0004, 0, 0),
            leaf(0x8000_000A, 0, 1, 8, 0, 0xFFFF_FFFF), leaf(0x8000_001F, 0, 0xFFFF_FFFF),
        ])
        #expect(CPUIDDecoder.identity(t).brand == nil)
        #expect(CPUIDDecoder.features(t)["svm"] == false && CPUIDDecoder.features(t)["lm"] == false)
        #expect(CPUIDDecoder.svm(t, vmcr: nil) == nil)
        #expect(CPUIDDecoder.sev(t) == nil)
    }

    @Test func svmWithout8000000AReadsAsRevisionZero() throws {
        let t = CPUIDTable(cpu: 0, leaves: [amd0(1), leaf(1, 0, 0x0004_0F33), leaf(0x8000_0000, 0, 0x8000_0008),
                                            leaf(0x8000_0001, 0, 0, 0, 0x4, 0)])
        let svm = try #require(CPUIDDecoder.svm(t, vmcr: nil))
        #expect(svm == SVMFacts(revision: 0, nasid: 0))
    }

    @Test func sevLeafWithNothingSetIsNil() {
        let t = CPUIDTable(cpu: 0, leaves: [amd0(1), leaf(0x8000_0000, 0, 0x8000_001F), leaf(0x8000_001F, 0, 0, 0x3F, 10, 1)])
        #expect(CPUIDDecoder.sev(t) == nil)
    }

    @Test func hypervisorLeafVariants() {
        func table(_ ebx: UInt32, _ ecx: UInt32, _ edx: UInt32, bit: Bool = true) -> CPUIDTable {
            CPUIDTable(cpu: 0, leaves: [amd0(1), leaf(1, 0, 0x00A0_0F11, 0, bit ? 0x8000_0000 : 0),
                                        leaf(0x4000_0000, 0, 0x4000_0001, ebx, ecx, edx)])
        }
        let kvm = CPUIDDecoder.hypervisor(table(0x4B4D_564B, 0x564B_4D56, 0x0000_004D))
        #expect(kvm.signature == "KVMKVMKVM" && kvm.name == "KVM" && kvm.maxLeaf == 0x4000_0001)
        let unknown = CPUIDDecoder.hypervisor(table(0x6463_6261, 0x6867_6665, 0x6C6B_6A69))
        #expect(unknown.signature == "abcdefghijkl" && unknown.name == nil)
        let zero = CPUIDDecoder.hypervisor(table(0, 0, 0))
        #expect(zero.present && zero.signature == nil)
        let bare = CPUIDDecoder.hypervisor(table(0x4B4D_564B, 0x564B_4D56, 0x0000_004D, bit: false))
        #expect(!bare.present && bare.signature == nil)
    }

    @Test func randomTablesDecodeWithoutCrashing() {
        // Deterministic garbage over the leaves the decoder reads, with random range leaves.
        var rng = SplitMix64(seed: 0x5EED)
        let interesting: [UInt32] = [0, 1, 7, 0x4000_0000, 0x8000_0000, 0x8000_0001, 0x8000_0002, 0x8000_0003,
                                     0x8000_0004, 0x8000_0007, 0x8000_000A, 0x8000_001F]
        for _ in 0..<2000 {
            var leaves: [CPUIDLeaf] = []
            for n in interesting where rng.next() % 4 != 0 {
                func r() -> UInt32 { UInt32(truncatingIfNeeded: rng.next()) }
                leaves.append(leaf(n, 0, rng.next() % 3 == 0 ? n | 0x1F : r(), r(), r(), r()))
            }
            let t = CPUIDTable(cpu: 0, leaves: leaves)
            let id = CPUIDDecoder.identity(t)
            let features = CPUIDDecoder.features(t)
            let hv = CPUIDDecoder.hypervisor(t)
            let svm = CPUIDDecoder.svm(t, vmcr: rng.next())
            _ = CPUIDDecoder.sev(t)
            #expect(id.brand?.contains("\0") != true)
            if t.maxBasicLeaf < 7 { #expect(features["umip"] == false) }
            if hv.signature != nil { #expect(hv.present) }
            if svm != nil { #expect(id.vendor == "AuthenticAMD" || id.vendor == "HygonGenuine") }
        }
    }

    @Test func featureTableRowsAllParseAndAreUnique() {
        let names = CPUIDFeatureBit.table.map(\.name)
        #expect(CPUIDFeatureBit.table.count == DataTables.cpuidFeatures.rows.count)
        #expect(Set(names).count == names.count)
        for name in ["vmx", "svm", "smx", "hypervisor", "umip", "pcid", "invpcid", "x2apic", "tsc_deadline",
                     "pdpe1gb", "nx", "lm", "xsave", "rdtscp", "invariant_tsc"] {
            #expect(names.contains(name), "\(name)")
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a seeded generator, so a failing case can be replayed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
