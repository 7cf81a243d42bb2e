@testable import Analysis
import HostModel
import Testing
import VirtCheckData

/// The SDM Appendix A rules, each exercised with crafted MSR values that make the rule decide
/// the outcome (real CPUs never report the contradictory values some of these use).
@Suite struct VMXDecoderRuleTests {
    static func cpu(_ values: [UInt32: UInt64], denied: [UInt32] = []) -> MSREvidence.CPU {
        MSREvidence.CPU(cpu: 0, reads: values.sorted { $0.key < $1.key }.map { MSRRead(index: $0.key, status: .ok, value: $0.value) }
                        + denied.map { MSRRead(index: $0, status: .denied) })
    }

    /// Basic without TRUE controls (bit 55 clear), WB, VMCS size 0x400.
    static let basicPlain: UInt64 = 0x0018_0400_0000_0004
    /// The same with bit 55 set.
    static let basicTrue: UInt64 = basicPlain | 1 << 55
    /// Primary allowed-1 with everything but bits 17 (tertiary) and 31 (secondary).
    static let primaryNoSecondary: UInt64 = 0x7FFD_FFFE_0401_E172
    static let primaryWithSecondary: UInt64 = primaryNoSecondary | 1 << 63
    /// Secondary allowed-1: every control.
    static let secondaryAll: UInt64 = 0xFFFF_FFFF_0000_0000
    /// EPT/VPID capability with everything, 5-level walk and A/D included.
    static let eptCapAll: UInt64 = 0x0000_0F01_06F7_41C1

    static func decode(_ values: [UInt32: UInt64], flags: [String]? = nil) throws -> VMXFacts {
        try #require(VMXDecoder.decode(cpuHasVMX: true, msrs: cpu(values), vmxFlags: flags))
    }

    @Test func noVMXInCPUIDMeansNoFacts() {
        #expect(VMXDecoder.decode(cpuHasVMX: false, msrs: Self.cpu([0x480: Self.basicPlain]), vmxFlags: ["ept"]) == nil)
    }

    @Test func noSourceLeavesEveryCapabilityUnknown() throws {
        let facts = try #require(VMXDecoder.decode(cpuHasVMX: true, msrs: nil, vmxFlags: nil))
        #expect(facts.source == .none)
        #expect(facts.ept == nil && facts.vpid == nil && facts.preemptionTimer == nil && facts.basic == nil)
    }

    /// SDM A.3.3: IA32_VMX_PROCBASED_CTLS2 exists only if primary allowed-1 bit 31 is set. A
    /// listed 0x48B (and 0x48C) must be ignored when it is not: no EPT, VPID, unrestricted guest.
    @Test func secondaryControlsNeedPrimaryBit31() throws {
        let values: [UInt32: UInt64] = [0x480: Self.basicPlain, 0x481: 0x0000_00FF_0000_0016,
                                        0x482: Self.primaryNoSecondary, 0x48B: Self.secondaryAll, 0x48C: Self.eptCapAll]
        let without = try Self.decode(values)
        #expect(without.source == .msr)
        #expect(without.ept == false && without.vpid == false && without.unrestrictedGuest == false)
        #expect(without.vmcsShadowing == false && without.pml == false && without.vmfunc == false)
        #expect(without.ept5level == false && without.eptAccessedDirty == false)
        #expect(without.controls?.secondaryProcessorBased == nil && without.eptVpidCapabilities == nil)

        var withBit31 = values
        withBit31[0x482] = Self.primaryWithSecondary
        let with = try Self.decode(withBit31)
        #expect(with.ept == true && with.vpid == true && with.unrestrictedGuest == true && with.vmcsShadowing == true)
        #expect(with.ept5level == true && with.eptAccessedDirty == true && with.mbec == true && with.tscScaling == true)
        #expect(with.controls?.secondaryProcessorBased == VMXFacts.AllowedSettings(allowed0: 0, allowed1: 0xFFFF_FFFF))
    }

    /// Primary bit 31 says the secondary MSR exists; when it was not read, what depends on it is
    /// unknown (nil), not false, while the pin-based capabilities are still known.
    @Test func unreadSecondaryMSRLeavesItsCapabilitiesUnknown() throws {
        let facts = try #require(VMXDecoder.decode(
            cpuHasVMX: true,
            msrs: Self.cpu([0x480: Self.basicPlain, 0x481: 0x0000_00FF_0000_0016, 0x482: Self.primaryWithSecondary],
                           denied: [0x48B]),
            vmxFlags: nil))
        #expect(facts.ept == nil && facts.vpid == nil && facts.ept5level == nil && facts.pml == nil)
        #expect(facts.preemptionTimer == true && facts.postedInterrupts == true && facts.tertiaryControls == false)
    }

    /// SDM A.2/A.3.1: the TRUE MSRs (0x48D-0x490) apply only when IA32_VMX_BASIC[55] is set.
    /// Crafted so the two sources disagree on every half: the plain MSRs allow posted interrupts
    /// and secondary controls, the TRUE MSRs do not, and their allowed-0 halves differ.
    @Test func trueMSRsApplyOnlyWithBasicBit55() throws {
        var values: [UInt32: UInt64] = [
            0x481: 0x0000_00FF_0000_0016, 0x48D: 0x0000_007F_0000_0000,
            0x482: Self.primaryWithSecondary, 0x48E: 0x7FFD_FFFE_0400_6172,
            0x483: 0x00FF_FFFF_0003_6DFF, 0x48F: 0x00FF_FFFF_0003_6DFB,
            0x484: 0x0000_FFFF_0000_11FF, 0x490: 0x0000_FFFF_0000_11FB,
            0x48B: Self.secondaryAll, 0x48C: Self.eptCapAll,
        ]
        values[0x480] = Self.basicPlain
        let plain = try Self.decode(values)
        #expect(plain.controls?.fromTrueMsrs == false)
        #expect(plain.controls?.pinBased == VMXFacts.AllowedSettings(allowed0: 0x16, allowed1: 0xFF))
        #expect(plain.controls?.primaryProcessorBased.allowed0 == 0x0401_E172)
        #expect(plain.controls?.exit?.allowed0 == 0x0003_6DFF && plain.controls?.entry?.allowed0 == 0x0000_11FF)
        #expect(plain.postedInterrupts == true && plain.ept == true)

        values[0x480] = Self.basicTrue
        let trueControls = try Self.decode(values)
        #expect(trueControls.controls?.fromTrueMsrs == true)
        #expect(trueControls.controls?.pinBased == VMXFacts.AllowedSettings(allowed0: 0, allowed1: 0x7F))
        #expect(trueControls.controls?.primaryProcessorBased.allowed0 == 0x0400_6172)
        #expect(trueControls.controls?.exit?.allowed0 == 0x0003_6DFB && trueControls.controls?.entry?.allowed0 == 0x0000_11FB)
        #expect(trueControls.postedInterrupts == false)
        #expect(trueControls.ept == false && trueControls.controls?.secondaryProcessorBased == nil)
    }

    /// With bit 55 set but a TRUE MSR unread, the plain MSR is a correct, stricter answer.
    @Test func plainMSRStandsInForAnUnreadTrueMSR() throws {
        let facts = try #require(VMXDecoder.decode(
            cpuHasVMX: true,
            msrs: Self.cpu([0x480: Self.basicTrue, 0x481: 0x0000_00FF_0000_0016, 0x482: Self.primaryNoSecondary],
                           denied: [0x48D, 0x48E]),
            vmxFlags: nil))
        #expect(facts.controls?.pinBased.allowed0 == 0x16 && facts.controls?.fromTrueMsrs == false)
        #expect(facts.postedInterrupts == true)
    }

    /// SDM A.10: IA32_VMX_EPT_VPID_CAP exists only when EPT or VPID can be enabled, and its EPT
    /// bits count only with EPT. VPID alone: the MSR is read, but 5-level EPT stays false.
    @Test func eptCapabilityMSRNeedsEPTOrVPID() throws {
        let vpidOnly = try Self.decode([0x480: Self.basicPlain, 0x481: 0x16, 0x482: Self.primaryWithSecondary,
                                        0x48B: UInt64(1 << 5) << 32, 0x48C: Self.eptCapAll])
        #expect(vpidOnly.vpid == true && vpidOnly.ept == false)
        #expect(vpidOnly.eptVpidCapabilities?.invvpid == true)
        #expect(vpidOnly.ept5level == false && vpidOnly.eptAccessedDirty == false)

        let neither = try Self.decode([0x480: Self.basicPlain, 0x481: 0x16, 0x482: Self.primaryWithSecondary,
                                       0x48B: UInt64(1) << 32, 0x48C: Self.eptCapAll])
        #expect(neither.eptVpidCapabilities == nil && neither.ept == false)

        let eptUnread = try Self.decode([0x480: Self.basicPlain, 0x481: 0x16, 0x482: Self.primaryWithSecondary,
                                         0x48B: UInt64(1 << 1) << 32])
        #expect(eptUnread.ept == true && eptUnread.ept5level == nil && eptUnread.eptAccessedDirty == nil)
    }

    /// SDM A.11 and A.3.4: IA32_VMX_VMFUNC (0x491) only with secondary allowed-1 bit 13, and
    /// IA32_VMX_PROCBASED_CTLS3 (0x492) only with primary allowed-1 bit 17.
    @Test func vmfuncAndTertiaryMSRsNeedTheirEnablingControls() throws {
        var values: [UInt32: UInt64] = [0x480: Self.basicPlain, 0x481: 0x16, 0x482: Self.primaryWithSecondary,
                                        0x48B: UInt64(1 << 1) << 32, 0x48C: Self.eptCapAll, 0x491: 1, 0x492: 0x1F]
        let without = try Self.decode(values)
        #expect(without.vmfunc == false && without.vmfuncControls == nil)
        #expect(without.tertiaryControls == false && without.controls?.tertiaryProcessorBasedAllowed1 == nil)

        values[0x48B] = UInt64(1 << 1 | 1 << 13) << 32
        values[0x482] = Self.primaryWithSecondary | 1 << (32 + 17)
        let with = try Self.decode(values)
        #expect(with.vmfunc == true && with.vmfuncControls == 1)
        #expect(with.tertiaryControls == true && with.controls?.tertiaryProcessorBasedAllowed1 == 0x1F)
    }

    /// IA32_FEATURE_CONTROL (SDM Vol.3C "Enabling and Entering VMX Operation"): bit 0 lock,
    /// bit 1 VMX inside SMX, bit 2 VMX outside SMX. Decoded whatever the capability source.
    @Test(arguments: [(UInt64(0), false, false, false), (1, true, false, false), (5, true, false, true),
                      (3, true, true, false), (0x7, true, true, true), (0xFF04, false, false, true)])
    func featureControlBits(_ value: UInt64, _ locked: Bool, _ inside: Bool, _ outside: Bool) throws {
        let facts = try #require(VMXDecoder.decode(cpuHasVMX: true, msrs: Self.cpu([0x3A: value]), vmxFlags: ["ept"]))
        #expect(facts.source == .cpuinfo)
        #expect(facts.featureControl == VMXFacts.FeatureControl(locked: locked, vmxInsideSmx: inside, vmxOutsideSmx: outside))
    }

    @Test func featureControlUnreadIsUnknown() throws {
        let facts = try #require(VMXDecoder.decode(cpuHasVMX: true, msrs: Self.cpu([:], denied: [0x3A]), vmxFlags: nil))
        #expect(facts.featureControl == nil)
    }

    /// SDM A.1 field layout of IA32_VMX_BASIC, on a value whose every field differs from its
    /// neighbours.
    @Test func basicFields() throws {
        let value: UInt64 = 0x0012_345 | 0x0000_0FFF << 32 | 1 << 48 | 1 << 49 | 6 << 50 | 1 << 54 | 1 << 56
        let basic = VMXDecoder.basic(value)
        #expect(basic == VMXFacts.Basic(revisionId: 0x12345, vmcsSize: 0xFFF, physicalAddressWidth32: true,
                                        dualMonitor: true, memoryType: 6, insOutsInfo: true, trueControls: false,
                                        noErrorCodeRequirement: true))
        #expect(VMXDecoder.basic(1 << 55 | 0x8000_0001).trueControls && VMXDecoder.basic(0x8000_0001).revisionId == 1)
    }

    /// SDM A.6 field layout of IA32_VMX_MISC.
    @Test func miscFields() {
        let value: UInt64 = 5 | 1 << 5 | 1 << 6 | 1 << 8 | 1 << 14 | 4 << 16 | 1 << 25 | 1 << 29 | 0x1234 << 32
        let misc = VMXDecoder.misc(value)
        #expect(misc.preemptionTimerRate == 5 && misc.storesLma && misc.activityHlt && !misc.activityShutdown)
        #expect(misc.activityWaitForSipi && misc.processorTraceInVmx && !misc.smbaseReadInSmm)
        #expect(misc.cr3TargetCount == 4 && misc.maxMsrListSize == 1024 && !misc.vmxoffBlocksSmi)
        #expect(misc.vmwriteAnyField && !misc.zeroLengthInjection && misc.msegRevisionId == 0x1234)
    }

    /// Every bit the decoder reads has a valid row in Data/tables/vmx_msr_bits.tsv, in the MSR
    /// its key names, and the table has no row the decoder does not know.
    @Test func bitTableCoversTheDecoder() {
        let msrOfGroup: [String: UInt32] = ["featureControl": 0x3A, "basic": 0x480, "pin": 0x481, "primary": 0x482,
                                            "secondary": 0x48B, "misc": 0x485, "vmcsEnum": 0x48A, "eptVpid": 0x48C]
        for bit in VMXBit.allCases {
            let group = String(bit.rawValue.split(separator: ".")[0])
            #expect(VMXBit.positions[bit]?.msr == msrOfGroup[group], "\(bit.rawValue)")
        }
        #expect(VMXBit.positions.count == VMXBit.allCases.count)
        for row in DataTables.vmxMsrBits.rows { #expect(VMXBit(rawValue: row["key"] ?? "") != nil, "\(row)") }
    }

    /// Spot checks of the table against the SDM, typed in here independently of it.
    @Test(arguments: [(VMXBit.secondaryEpt, 1), (.secondaryVpid, 5), (.secondaryUnrestrictedGuest, 7),
                      (.secondaryVmcsShadowing, 14), (.secondaryPml, 17), (.primarySecondaryControls, 31),
                      (.primaryTertiaryControls, 17), (.pinPostedInterrupts, 7), (.basicTrueControls, 55),
                      (.eptPageWalk5, 7), (.eptAccessedDirty, 21), (.vpidInvvpid, 32)])
    func tablePositionsMatchTheSDM(_ bit: VMXBit, _ position: Int) {
        #expect(bit.position.low == position && bit.position.width == 1)
    }

    @Test func tableRangesParse() {
        #expect(VMXBit.parse(msr: "0x480", bits: "44:32") == VMXBit.Position(msr: 0x480, low: 32, width: 13))
        #expect(VMXBit.parse(msr: "0x480", bits: "32:44") == nil)
        #expect(VMXBit.parse(msr: "480", bits: "1") == nil)
        #expect(VMXBit.parse(msr: "0x480", bits: "64") == nil)
    }
}
