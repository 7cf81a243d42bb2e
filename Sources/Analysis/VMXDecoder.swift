import HostModel

/// Decodes VT-x capabilities from the IA32_VMX_* capability MSRs (Intel SDM Vol.3D Appendix A)
/// or, when those cannot be read, from the `vmx flags` line Linux prints in /proc/cpuinfo.
///
/// The MSRs are the primary source because they are what the CPU itself reports; the cpuinfo line
/// is Linux's summary of the same MSRs, names fewer capabilities and depends on the kernel version.
/// The two sources are not mixed: `source` says where every capability came from.
public enum VMXDecoder {
    /// MSR indices (SDM Vol.4 "Model-Specific Registers", Vol.3D Appendix A).
    enum MSR {
        static let featureControl: UInt32 = 0x3A
        static let basic: UInt32 = 0x480
        static let pinBased: UInt32 = 0x481
        static let procBased: UInt32 = 0x482
        static let exit: UInt32 = 0x483
        static let entry: UInt32 = 0x484
        static let misc: UInt32 = 0x485
        static let cr0Fixed0: UInt32 = 0x486
        static let cr0Fixed1: UInt32 = 0x487
        static let cr4Fixed0: UInt32 = 0x488
        static let cr4Fixed1: UInt32 = 0x489
        static let vmcsEnum: UInt32 = 0x48A
        static let procBased2: UInt32 = 0x48B
        static let eptVpidCap: UInt32 = 0x48C
        static let truePinBased: UInt32 = 0x48D
        static let trueProcBased: UInt32 = 0x48E
        static let trueExit: UInt32 = 0x48F
        static let trueEntry: UInt32 = 0x490
        static let vmfunc: UInt32 = 0x491
        static let procBased3: UInt32 = 0x492
    }

    /// - Parameters:
    ///   - cpuHasVMX: CPUID.01H:ECX[5]. Without it there is nothing to decode and the result is nil.
    ///   - msrs: the MSR reads of one logical CPU (the capability MSRs are the same on every CPU).
    ///   - vmxFlags: cpuinfo's `vmx flags` words, where a cpuinfo was read and has the line.
    /// - Returns: the capabilities; a capability no source speaks about is nil, never false.
    ///   IA32_FEATURE_CONTROL is decoded whenever it was read, whatever the capability source.
    public static func decode(cpuHasVMX: Bool, msrs: MSREvidence.CPU?, vmxFlags: [String]?) -> VMXFacts? {
        guard cpuHasVMX else { return nil }
        var facts: VMXFacts
        if let msrs, let decoded = decodeMSRs(msrs) {
            facts = decoded
        } else if let vmxFlags {
            facts = VMXFlagDecoder.decode(vmxFlags)
        } else {
            facts = VMXFacts(source: .none)
        }
        facts.featureControl = msrs?.value(MSR.featureControl).map(featureControl)
        return facts
    }

    static func featureControl(_ value: UInt64) -> VMXFacts.FeatureControl {
        VMXFacts.FeatureControl(locked: VMXBit.featureControlLocked.isSet(value),
                                vmxInsideSmx: VMXBit.featureControlVmxInsideSmx.isSet(value),
                                vmxOutsideSmx: VMXBit.featureControlVmxOutsideSmx.isSet(value))
    }

    static func basic(_ value: UInt64) -> VMXFacts.Basic {
        VMXFacts.Basic(revisionId: UInt32(VMXBit.basicRevisionId.field(value)),
                       vmcsSize: Int(VMXBit.basicVmcsSize.field(value)),
                       physicalAddressWidth32: VMXBit.basicPhysicalAddressWidth32.isSet(value),
                       dualMonitor: VMXBit.basicDualMonitor.isSet(value),
                       memoryType: Int(VMXBit.basicMemoryType.field(value)),
                       insOutsInfo: VMXBit.basicInsOutsInfo.isSet(value),
                       trueControls: VMXBit.basicTrueControls.isSet(value),
                       noErrorCodeRequirement: VMXBit.basicNoErrorCodeRequirement.isSet(value))
    }

    /// The MSR path. It needs IA32_VMX_BASIC and the pin-based and primary processor-based
    /// control MSRs, which every VMX processor has (SDM A.1-A.3); without them it returns nil and
    /// the caller falls back to cpuinfo. Past that, an MSR that should exist but was not read
    /// leaves the capabilities that depend on it nil.
    static func decodeMSRs(_ msrs: MSREvidence.CPU) -> VMXFacts? {
        guard let basicValue = msrs.value(MSR.basic) else { return nil }
        let basic = basic(basicValue)

        // SDM A.2: with IA32_VMX_BASIC[55] set, the TRUE MSRs report the allowed settings
        // (their allowed-0 halves may clear "default1" controls); without it they do not exist
        // and must not be consulted. Where bit 55 is set but a TRUE MSR was not read, the plain
        // MSR is still a correct, only stricter, answer (SDM A.3.1).
        var usedTrue = basic.trueControls
        func settings(_ plain: UInt32, _ trueMSR: UInt32) -> VMXFacts.AllowedSettings? {
            if basic.trueControls, let value = msrs.value(trueMSR) { return VMXFacts.AllowedSettings(msr: value) }
            guard let value = msrs.value(plain) else { return nil }
            usedTrue = false
            return VMXFacts.AllowedSettings(msr: value)
        }
        guard let pin = settings(MSR.pinBased, MSR.truePinBased),
              let primary = settings(MSR.procBased, MSR.trueProcBased) else { return nil }
        let exit = settings(MSR.exit, MSR.trueExit)
        let entry = settings(MSR.entry, MSR.trueEntry)

        var facts = VMXFacts(source: .msr)
        facts.basic = basic

        // SDM A.3.3: IA32_VMX_PROCBASED_CTLS2 exists only when primary allowed-1 bit 31 is set.
        // Where it does not, every secondary control is fixed at 0, so its capabilities are
        // false; where it should exist but was not read, they are unknown.
        let hasSecondary = VMXBit.primarySecondaryControls.allowed(in: primary)
        let secondary = hasSecondary ? msrs.value(MSR.procBased2).map(VMXFacts.AllowedSettings.init(msr:)) : nil
        func secondaryAllows(_ bit: VMXBit) -> Bool? {
            hasSecondary ? secondary.map(bit.allowed(in:)) : false
        }

        // SDM A.3.4: IA32_VMX_PROCBASED_CTLS3 exists only when primary allowed-1 bit 17 is set.
        let hasTertiary = VMXBit.primaryTertiaryControls.allowed(in: primary)
        facts.controls = VMXFacts.Controls(
            pinBased: pin, primaryProcessorBased: primary, secondaryProcessorBased: secondary,
            tertiaryProcessorBasedAllowed1: hasTertiary ? msrs.value(MSR.procBased3) : nil,
            exit: exit, entry: entry, fromTrueMsrs: usedTrue)

        facts.preemptionTimer = VMXBit.pinPreemptionTimer.allowed(in: pin)
        facts.postedInterrupts = VMXBit.pinPostedInterrupts.allowed(in: pin)
        facts.tertiaryControls = hasTertiary
        facts.ept = secondaryAllows(.secondaryEpt)
        facts.vpid = secondaryAllows(.secondaryVpid)
        facts.unrestrictedGuest = secondaryAllows(.secondaryUnrestrictedGuest)
        facts.apicRegisterVirtualization = secondaryAllows(.secondaryApicRegisterVirtualization)
        facts.virtualInterruptDelivery = secondaryAllows(.secondaryVirtualInterruptDelivery)
        facts.vmfunc = secondaryAllows(.secondaryVmfunc)
        facts.vmcsShadowing = secondaryAllows(.secondaryVmcsShadowing)
        facts.pml = secondaryAllows(.secondaryPml)
        facts.mbec = secondaryAllows(.secondaryMbec)
        facts.tscScaling = secondaryAllows(.secondaryTscScaling)

        // SDM A.10: IA32_VMX_EPT_VPID_CAP exists only when "enable EPT" or "enable VPID" can be
        // 1. Its EPT bits are meaningful only with EPT: without EPT, 5-level walks and A/D flags
        // are false; with EPT but the MSR unread, they are unknown.
        if facts.ept == true || facts.vpid == true, let cap = msrs.value(MSR.eptVpidCap) {
            facts.eptVpidCapabilities = eptVpidCapabilities(cap)
        }
        switch facts.ept {
        case true?:
            facts.ept5level = facts.eptVpidCapabilities?.pageWalk5
            facts.eptAccessedDirty = facts.eptVpidCapabilities?.accessedDirty
        case false?:
            facts.ept5level = false
            facts.eptAccessedDirty = false
        case nil:
            break
        }

        // SDM A.11: IA32_VMX_VMFUNC exists only when "enable VM functions" can be 1.
        if facts.vmfunc == true { facts.vmfuncControls = msrs.value(MSR.vmfunc) }

        facts.misc = msrs.value(MSR.misc).map(misc)
        let fixed = VMXFacts.FixedBits(cr0Fixed0: msrs.value(MSR.cr0Fixed0), cr0Fixed1: msrs.value(MSR.cr0Fixed1),
                                       cr4Fixed0: msrs.value(MSR.cr4Fixed0), cr4Fixed1: msrs.value(MSR.cr4Fixed1))
        if fixed.cr0Fixed0 != nil || fixed.cr0Fixed1 != nil || fixed.cr4Fixed0 != nil || fixed.cr4Fixed1 != nil {
            facts.fixedBits = fixed
        }
        facts.vmcsHighestIndex = msrs.value(MSR.vmcsEnum).map { Int(VMXBit.vmcsEnumHighestIndex.field($0)) }
        return facts
    }

    static func eptVpidCapabilities(_ v: UInt64) -> VMXFacts.EPTVPIDCapabilities {
        VMXFacts.EPTVPIDCapabilities(
            raw: v, executeOnly: VMXBit.eptExecuteOnly.isSet(v), pageWalk4: VMXBit.eptPageWalk4.isSet(v),
            pageWalk5: VMXBit.eptPageWalk5.isSet(v), uncacheable: VMXBit.eptUncacheable.isSet(v),
            writeBack: VMXBit.eptWriteBack.isSet(v), pages2m: VMXBit.eptPages2m.isSet(v),
            pages1g: VMXBit.eptPages1g.isSet(v), invept: VMXBit.eptInvept.isSet(v),
            accessedDirty: VMXBit.eptAccessedDirty.isSet(v), advancedExitInfo: VMXBit.eptAdvancedExitInfo.isSet(v),
            inveptSingleContext: VMXBit.eptInveptSingleContext.isSet(v),
            inveptAllContext: VMXBit.eptInveptAllContext.isSet(v), invvpid: VMXBit.vpidInvvpid.isSet(v),
            invvpidIndividualAddress: VMXBit.vpidInvvpidIndividualAddress.isSet(v),
            invvpidSingleContext: VMXBit.vpidInvvpidSingleContext.isSet(v),
            invvpidAllContext: VMXBit.vpidInvvpidAllContext.isSet(v),
            invvpidSingleContextRetainingGlobals: VMXBit.vpidInvvpidSingleContextRetainingGlobals.isSet(v))
    }

    static func misc(_ v: UInt64) -> VMXFacts.Misc {
        VMXFacts.Misc(
            raw: v, preemptionTimerRate: Int(VMXBit.miscPreemptionTimerRate.field(v)),
            storesLma: VMXBit.miscStoresLma.isSet(v), activityHlt: VMXBit.miscActivityHlt.isSet(v),
            activityShutdown: VMXBit.miscActivityShutdown.isSet(v),
            activityWaitForSipi: VMXBit.miscActivityWaitForSipi.isSet(v),
            processorTraceInVmx: VMXBit.miscProcessorTraceInVmx.isSet(v),
            smbaseReadInSmm: VMXBit.miscSmbaseReadInSmm.isSet(v),
            cr3TargetCount: Int(VMXBit.miscCr3TargetCount.field(v)),
            // SDM A.6: the recommended maximum is 512 * (N + 1).
            maxMsrListSize: 512 * (Int(VMXBit.miscMsrListLimit.field(v)) + 1),
            vmxoffBlocksSmi: VMXBit.miscVmxoffBlocksSmi.isSet(v),
            vmwriteAnyField: VMXBit.miscVmwriteAnyField.isSet(v),
            zeroLengthInjection: VMXBit.miscZeroLengthInjection.isSet(v),
            msegRevisionId: UInt32(VMXBit.miscMsegRevisionId.field(v)))
    }
}
