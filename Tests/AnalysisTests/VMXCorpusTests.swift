import Analysis
import HostModel
import Testing

/// The decoder over the 175 real CPUs of `Fixtures/vmx-msr-sets`, held against rules the SDM
/// states and against an independent source (the same CPU's CPUID), never against the
/// decoder's own earlier output.
@Suite struct VMXCorpusTests {
    @Test func everyFixtureLoadsAndDecodes() throws {
        #expect(VMXFixture.names.count == 175)
        for name in VMXFixture.names {
            let fixture = try VMXFixture.load(name)
            // Every dump of the set was taken on a CPU that reports VMX in CPUID.01H:ECX[5].
            #expect(fixture.features["vmx"] == true, "\(name)")
            let facts = try #require(fixture.facts, "\(name)")
            #expect(facts.source == .msr, "\(name)")
            #expect(facts.basic != nil && facts.controls != nil && facts.misc != nil, "\(name)")
            // Every capability is known: each MSR the SDM's rules call for is in the dump.
            for (label, value) in Self.capabilities(facts) { #expect(value != nil, "\(name): \(label) unknown") }
        }
        #expect(VMXFixture.all.count == 175)
    }

    static func capabilities(_ f: VMXFacts) -> [(String, Bool?)] {
        [("ept", f.ept), ("vpid", f.vpid), ("unrestrictedGuest", f.unrestrictedGuest), ("vmcsShadowing", f.vmcsShadowing),
         ("postedInterrupts", f.postedInterrupts), ("apicRegisterVirtualization", f.apicRegisterVirtualization),
         ("virtualInterruptDelivery", f.virtualInterruptDelivery), ("pml", f.pml), ("ept5level", f.ept5level),
         ("eptAccessedDirty", f.eptAccessedDirty), ("mbec", f.mbec), ("tscScaling", f.tscScaling),
         ("preemptionTimer", f.preemptionTimer), ("vmfunc", f.vmfunc), ("tertiaryControls", f.tertiaryControls)]
    }

    /// SDM Vol.3D A.1: the VMCS region size is at most 4096 bytes; the memory type is WB (6) or
    /// UC (0) and real processors report WB; bit 48 is always 0 on processors that support
    /// Intel 64 (CPUID.80000001H:EDX[29] LM).
    @Test(arguments: VMXFixture.all)
    func basicIsWithinTheSDMRanges(_ fixture: VMXFixture) throws {
        let basic = try #require(fixture.facts?.basic)
        #expect((1...4096).contains(basic.vmcsSize))
        #expect(basic.memoryType == 6)
        #expect(basic.revisionId != 0)
        if fixture.cpuid.bit(leaf: 0x8000_0001, register: "edx", bit: 29) == true {
            #expect(!basic.physicalAddressWidth32)
        }
    }

    /// SDM Vol.3D A.3-A.5: a control that must be 1 may be 1 (allowed-0 is a subset of
    /// allowed-1); the TRUE MSRs only clear default1 bits of the plain MSRs' allowed-0.
    @Test(arguments: VMXFixture.all)
    func allowedSettingsAreConsistent(_ fixture: VMXFixture) throws {
        let controls = try #require(fixture.facts?.controls)
        let words = [controls.pinBased, controls.primaryProcessorBased] + [controls.secondaryProcessorBased,
                                                                          controls.exit, controls.entry].compactMap { $0 }
        for word in words { #expect(word.allowed0 & ~word.allowed1 == 0) }
        if controls.fromTrueMsrs, let plain = fixture.msrs.value(0x482) {
            #expect(controls.primaryProcessorBased.allowed0 & ~UInt32(truncatingIfNeeded: plain) == 0)
        }
        #expect(controls.fromTrueMsrs == fixture.facts?.basic?.trueControls)
    }

    /// Dependencies the SDM states between capabilities: unrestricted guest needs EPT (VM-entry
    /// check on the "unrestricted guest" control) and implies IA32_VMX_MISC[5] (A.6); an EPT
    /// processor supports the 4-level walk and the WB paging-structure type Linux requires (A.10).
    @Test(arguments: VMXFixture.all)
    func capabilityDependenciesHold(_ fixture: VMXFixture) throws {
        let facts = try #require(fixture.facts)
        if facts.unrestrictedGuest == true {
            #expect(facts.ept == true)
            #expect(facts.misc?.storesLma == true)
        }
        if facts.ept == true {
            let cap = try #require(facts.eptVpidCapabilities)
            #expect(cap.pageWalk4 && cap.writeBack && cap.invept)
        }
        if facts.vpid == true { #expect(facts.eptVpidCapabilities?.invvpid == true) }
        if facts.ept == false && facts.vpid == false { #expect(facts.eptVpidCapabilities == nil) }
    }

    /// Independent cross-check with CPUID: 5-level EPT (IA32_VMX_EPT_VPID_CAP[7]) and 5-level
    /// paging (CPUID.(07H,0):ECX[16] LA57) were specified together (Intel white paper "5-Level
    /// Paging and 5-Level EPT", 2017), and in this corpus every CPU has both or neither.
    @Test(arguments: VMXFixture.all)
    func fiveLevelEPTComesWithLA57(_ fixture: VMXFixture) throws {
        let la57 = fixture.cpuid.bit(leaf: 7, register: "ecx", bit: 16) ?? false
        #expect(fixture.facts?.ept5level == la57)
    }

    /// Key Locker (CPUID.(07H,0):ECX[23] KL) needs the tertiary controls: "LOADIWKEY exiting" is
    /// tertiary control bit 0 (Intel Key Locker Specification, 2020; SDM table of tertiary
    /// processor-based controls), so every KL processor must allow "activate tertiary controls".
    @Test func keyLockerProcessorsHaveTertiaryControls() {
        let keyLocker = VMXFixture.all.filter { $0.cpuid.bit(leaf: 7, register: "ecx", bit: 23) == true }
        #expect(keyLocker.count >= 30)
        for fixture in keyLocker { #expect(fixture.facts?.tertiaryControls == true, "\(fixture.name)") }
    }
}
