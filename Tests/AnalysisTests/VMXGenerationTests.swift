import Analysis
import HostModel
import Testing

/// Hand-checked facts about named CPU generations, each with the source it was checked against.
/// CPUs are picked by CPUID family 6 model number (Linux arch/x86/include/asm/intel-family.h)
/// and, where a fact holds only for server parts, by a "Xeon" brand string; the decoder's own
/// output is never the reference. Each fact names how many fixtures it must match, so a fact
/// whose selector stops matching fails instead of passing vacuously.
@Suite struct VMXGenerationTests {
    struct Fact: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let models: Set<Int>
        var xeonOnly = false
        let minimumMatches: Int
        let expected: [Capability: Bool]
    }

    enum Capability: String, Sendable, CaseIterable {
        case ept, vpid, unrestrictedGuest, vmcsShadowing, postedInterrupts, apicRegisterVirtualization
        case virtualInterruptDelivery, pml, ept5level, eptAccessedDirty, mbec, tscScaling, preemptionTimer
        case vmfunc, tertiaryControls

        func value(_ f: VMXFacts) -> Bool? {
            switch self {
            case .ept: f.ept
            case .vpid: f.vpid
            case .unrestrictedGuest: f.unrestrictedGuest
            case .vmcsShadowing: f.vmcsShadowing
            case .postedInterrupts: f.postedInterrupts
            case .apicRegisterVirtualization: f.apicRegisterVirtualization
            case .virtualInterruptDelivery: f.virtualInterruptDelivery
            case .pml: f.pml
            case .ept5level: f.ept5level
            case .eptAccessedDirty: f.eptAccessedDirty
            case .mbec: f.mbec
            case .tscScaling: f.tscScaling
            case .preemptionTimer: f.preemptionTimer
            case .vmfunc: f.vmfunc
            case .tertiaryControls: f.tertiaryControls
            }
        }
    }

    static let facts: [Fact] = [
        // Core 2 (Merom 0x0F, Penryn 0x17, Dunnington 0x1D) and Bonnell Atom (Tunnel Creek 0x26):
        // VT-x without EPT, VPID, unrestricted guest or the preemption timer, which arrived with
        // Nehalem: the Nehalem-based Xeon C5500/C3500 datasheet (323103-001, 4.1.2) lists EPT,
        // VPID, the guest preemption timer and descriptor-table exiting as its VT-x features.
        Fact(testDescription: "Core 2 and Bonnell: no EPT, VPID, unrestricted guest, preemption timer",
             models: [0x0F, 0x16, 0x17, 0x1D, 0x1C, 0x26], minimumMatches: 4,
             expected: [.ept: false, .vpid: false, .unrestrictedGuest: false, .preemptionTimer: false,
                        .vmcsShadowing: false, .postedInterrupts: false]),
        // Westmere (Gulftown 0x2C): unrestricted guest, first in this generation (Linux commit
        // "KVM: VMX: Support Unrestricted Guest feature", 2009: Westmere and later), on top of
        // Nehalem's EPT and VPID.
        Fact(testDescription: "Westmere: EPT, VPID, unrestricted guest",
             models: [0x25, 0x2C, 0x2F], minimumMatches: 1,
             expected: [.ept: true, .vpid: true, .unrestrictedGuest: true, .preemptionTimer: true]),
        // Sandy Bridge-E/EP (0x2D): the Xeon E5-1600/2600/4600 datasheet (Vol.1 3.1.2) lists
        // EPT, VPID, preemption timer, descriptor-table exiting and PAUSE-loop exiting, and no
        // APICv; EPT A/D and EPTP switching (VM functions) are "new" only with Haswell (below).
        Fact(testDescription: "Sandy Bridge-E/EP: EPT and VPID without APICv, A/D bits, VM functions",
             models: [0x2D], minimumMatches: 3,
             expected: [.ept: true, .vpid: true, .unrestrictedGuest: true, .apicRegisterVirtualization: false,
                        .postedInterrupts: false, .eptAccessedDirty: false, .vmfunc: false, .vmcsShadowing: false]),
        // Ivy Bridge client (0x3A) and Ivy Bridge-E i7-4930K (0x3E): the Core i7-4930K/4820K
        // datasheet (3.1.2) lists the same set as Sandy Bridge-EP, without APICv (APICv is listed
        // only for the Xeon E5-2600 v2 server parts, of which the corpus has none).
        Fact(testDescription: "Ivy Bridge client/HEDT: no APICv, no EPT A/D",
             models: [0x3A, 0x3E], minimumMatches: 2,
             expected: [.ept: true, .vpid: true, .apicRegisterVirtualization: false, .virtualInterruptDelivery: false,
                        .eptAccessedDirty: false, .vmcsShadowing: false]),
        // Haswell (0x3C client, 0x3F server, 0x45, 0x46): the Xeon E3-1200 v3 datasheet lists EPT
        // accessed/dirty bits and EPTP switching (a VM function) as new VT-x features.
        Fact(testDescription: "Haswell: EPT A/D bits and VM functions",
             models: [0x3C, 0x3F, 0x45, 0x46], minimumMatches: 10,
             expected: [.ept: true, .eptAccessedDirty: true, .vmfunc: true]),
        // Haswell-EP Xeon E5 v3 (0x3F): VMCS shadowing, first documented in SDM revision 045
        // (January 2013, the Haswell generation) and used by KVM's nested VMX since Abel Gordon's
        // shadow-VMCS series (Linux 3.10); and APICv with posted interrupts, which Ivy Bridge-EP
        // brought to the Xeon E5 line (Xeon E5-2600 v2 datasheet 3.1.2 lists "APIC
        // Virtualization (APICv)", the Xeon E5-2600 datasheet does not).
        Fact(testDescription: "Haswell-EP Xeon: VMCS shadowing, APICv, posted interrupts",
             models: [0x3F], xeonOnly: true, minimumMatches: 6,
             expected: [.vmcsShadowing: true, .postedInterrupts: true, .apicRegisterVirtualization: true,
                        .virtualInterruptDelivery: true, .pml: false]),
        // Broadwell-EP/DE Xeon (0x4F, 0x56) and Skylake-SP/Cascade Lake Xeon (0x55): PML, "a new
        // feature on Intel's Broadwell server platform" (Kai Huang, "KVM: VMX: Page Modification
        // Logging (PML) support" cover letter, 2015).
        Fact(testDescription: "Broadwell and Skylake server Xeon: PML",
             models: [0x4F, 0x56, 0x55], xeonOnly: true, minimumMatches: 12,
             expected: [.pml: true, .eptAccessedDirty: true, .postedInterrupts: true, .apicRegisterVirtualization: true]),
        // Mode-based execute control for EPT: Kaby Lake and later client cores (0x8E, 0x9E, Alder
        // Lake 0x97/0x9A), not Skylake client (0x4E, 0x5E). Sources: Microsoft's HVCI
        // documentation (MBEC on Intel Kaby Lake and newer; older CPUs fall back to "restricted
        // user mode" emulation); the 9th-generation Core datasheet (Vol.1, "Intel VT-x key
        // features") and the 12th-generation Core datasheet list MBEC.
        Fact(testDescription: "Kaby Lake and later client: MBEC",
             models: [0x8E, 0x9E, 0x97, 0x9A], minimumMatches: 30,
             expected: [.mbec: true, .ept: true]),
        Fact(testDescription: "Skylake client: no MBEC",
             models: [0x4E, 0x5E], minimumMatches: 6,
             expected: [.mbec: false, .ept: true, .eptAccessedDirty: true]),
        // Ice Lake server (0x6A), Sapphire Rapids (0x8F), Emerald Rapids (0xCF), Granite Rapids
        // (0xAD): 5-level paging servers, which carry 5-level EPT; Ice Lake client (0x7E) is not.
        Fact(testDescription: "Ice Lake server and later Xeon: 5-level EPT",
             models: [0x6A, 0x6C, 0x8F, 0xCF, 0xAD], minimumMatches: 7,
             expected: [.ept5level: true, .eptAccessedDirty: true]),
        Fact(testDescription: "Ice Lake client: 4-level EPT only",
             models: [0x7D, 0x7E], minimumMatches: 3,
             expected: [.ept5level: false, .tertiaryControls: false]),
        // Tertiary controls: first defined for Key Locker's LOADIWKEY exiting (Tiger Lake, 0x8C/
        // 0x8D; Alder Lake 0x97/0x9A) and used for IPI virtualization from Sapphire Rapids on
        // (Linux "KVM: VMX: Enable IPI virtualization", 2022). Earlier cores have none.
        Fact(testDescription: "Tiger Lake, Alder Lake, Sapphire Rapids and later: tertiary controls",
             models: [0x8C, 0x8D, 0x97, 0x9A, 0x8F, 0xCF, 0xAD, 0xB7, 0xBA, 0xBF, 0xAA], minimumMatches: 35,
             expected: [.tertiaryControls: true]),
        Fact(testDescription: "Skylake to Comet Lake and Cascade Lake: no tertiary controls",
             models: [0x4E, 0x5E, 0x55, 0x8E, 0x9E, 0xA5, 0xA6, 0x66], minimumMatches: 40,
             expected: [.tertiaryControls: false, .ept5level: false]),
    ]

    @Test(arguments: facts)
    func generationFactHolds(_ fact: Fact) throws {
        let matches = VMXFixture.intel(models: fact.models).filter { !fact.xeonOnly || $0.brand.contains("Xeon") }
        #expect(matches.count >= fact.minimumMatches)
        for fixture in matches {
            let facts = try #require(fixture.facts, "\(fixture.name)")
            for (capability, value) in fact.expected {
                #expect(capability.value(facts) == value, "\(fixture.name): \(capability.rawValue)")
            }
        }
    }

    /// Every VIA/Zhaoxin (CentaurHauls) part of the corpus locks IA32_FEATURE_CONTROL with VMX
    /// enabled outside SMX only: the raw value 0x5 is bit 0 (lock) + bit 2 (SDM Vol.3C
    /// "Enabling and Entering VMX Operation"). The Intel dumps carry no 0x3A, which must stay
    /// unknown rather than read as "VMX disabled".
    @Test func featureControlOfTheCentaurParts() throws {
        let centaur = VMXFixture.all.filter { $0.identity.vendor == "CentaurHauls" }
        #expect(centaur.count == 8)
        for fixture in centaur {
            let fc = try #require(fixture.facts?.featureControl, "\(fixture.name)")
            #expect(fc.locked && fc.vmxOutsideSmx && !fc.vmxInsideSmx)
        }
        for fixture in VMXFixture.all where fixture.isIntel { #expect(fixture.facts?.featureControl == nil) }
    }
}
