/// VT-x capabilities, decoded from the IA32_VMX_* MSRs when readable, else from cpuinfo's
/// `vmx flags` line. A capability no source speaks about stays nil (unknown), never false.
public struct VMXFacts: Codable, Sendable, Hashable {
    /// Where the capabilities came from.
    public enum Source: String, Codable, Sendable, Hashable {
        case msr, cpuinfo, none
    }

    /// IA32_VMX_BASIC (0x480).
    public struct Basic: Codable, Sendable, Hashable {
        public var revisionId: UInt32
        public var vmcsSize: Int
        /// Bit 48: addresses limited to 32 bits.
        public var physicalAddressWidth32: Bool
        public var dualMonitor: Bool
        /// Bits 53:50: 6 = write-back.
        public var memoryType: Int
        public var insOutsInfo: Bool
        /// Bit 55: the TRUE_* control MSRs exist and apply.
        public var trueControls: Bool
        public var noErrorCodeRequirement: Bool

        public init(revisionId: UInt32, vmcsSize: Int, physicalAddressWidth32: Bool, dualMonitor: Bool, memoryType: Int,
                    insOutsInfo: Bool, trueControls: Bool, noErrorCodeRequirement: Bool) {
            self.revisionId = revisionId
            self.vmcsSize = vmcsSize
            self.physicalAddressWidth32 = physicalAddressWidth32
            self.dualMonitor = dualMonitor
            self.memoryType = memoryType
            self.insOutsInfo = insOutsInfo
            self.trueControls = trueControls
            self.noErrorCodeRequirement = noErrorCodeRequirement
        }
    }

    /// IA32_FEATURE_CONTROL (0x3A): the firmware's lock on VMX.
    public struct FeatureControl: Codable, Sendable, Hashable {
        public var locked: Bool
        public var vmxInsideSmx: Bool
        public var vmxOutsideSmx: Bool

        public init(locked: Bool, vmxInsideSmx: Bool, vmxOutsideSmx: Bool) {
            self.locked = locked
            self.vmxInsideSmx = vmxInsideSmx
            self.vmxOutsideSmx = vmxOutsideSmx
        }
    }

    public var source: Source
    public var basic: Basic?
    public var featureControl: FeatureControl?
    public var ept: Bool?
    public var vpid: Bool?
    public var unrestrictedGuest: Bool?
    public var vmcsShadowing: Bool?
    public var postedInterrupts: Bool?
    public var apicRegisterVirtualization: Bool?
    public var virtualInterruptDelivery: Bool?
    public var pml: Bool?
    public var ept5level: Bool?
    public var eptAccessedDirty: Bool?
    public var mbec: Bool?
    public var tscScaling: Bool?
    public var preemptionTimer: Bool?
    public var vmfunc: Bool?
    public var tertiaryControls: Bool?
    /// The allowed settings of every control word, so a consumer (the emulator, a migration
    /// check) need not redo the SDM's TRUE-MSR and existence rules. Nil without MSRs.
    public var controls: Controls?
    /// IA32_VMX_EPT_VPID_CAP (0x48C), present only when EPT or VPID can be enabled.
    public var eptVpidCapabilities: EPTVPIDCapabilities?
    /// IA32_VMX_MISC (0x485).
    public var misc: Misc?
    /// IA32_VMX_CR0_FIXED0/1 and CR4_FIXED0/1 (0x486-0x489).
    public var fixedBits: FixedBits?
    /// IA32_VMX_VMCS_ENUM (0x48A) bits 9:1: the highest index in any VMCS field encoding.
    public var vmcsHighestIndex: Int?
    /// IA32_VMX_VMFUNC (0x491): bit X set means VM function X may be enabled. Present only when
    /// "enable VM functions" can be 1.
    public var vmfuncControls: UInt64?

    public init(source: Source) {
        self.source = source
    }

    private enum CodingKeys: String, CodingKey {
        case source, basic, featureControl, ept, vpid, unrestrictedGuest, vmcsShadowing, postedInterrupts
        case apicRegisterVirtualization, virtualInterruptDelivery, pml
        case ept5level = "ept_5level"
        case eptAccessedDirty, mbec, tscScaling, preemptionTimer, vmfunc, tertiaryControls
        case controls, eptVpidCapabilities, misc, fixedBits, vmcsHighestIndex, vmfuncControls
    }

    /// `SnapshotCoding.decode` (convertFromSnakeCase) turns the JSON key `ept_5level` into
    /// `ept5Level`, which no longer matches the CodingKey above; this key reads that spelling.
    private enum ConvertedKeys: String, CodingKey {
        case ept5level = "ept5Level"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decode(Source.self, forKey: .source)
        basic = try c.decodeIfPresent(Basic.self, forKey: .basic)
        featureControl = try c.decodeIfPresent(FeatureControl.self, forKey: .featureControl)
        ept = try c.decodeIfPresent(Bool.self, forKey: .ept)
        vpid = try c.decodeIfPresent(Bool.self, forKey: .vpid)
        unrestrictedGuest = try c.decodeIfPresent(Bool.self, forKey: .unrestrictedGuest)
        vmcsShadowing = try c.decodeIfPresent(Bool.self, forKey: .vmcsShadowing)
        postedInterrupts = try c.decodeIfPresent(Bool.self, forKey: .postedInterrupts)
        apicRegisterVirtualization = try c.decodeIfPresent(Bool.self, forKey: .apicRegisterVirtualization)
        virtualInterruptDelivery = try c.decodeIfPresent(Bool.self, forKey: .virtualInterruptDelivery)
        pml = try c.decodeIfPresent(Bool.self, forKey: .pml)
        ept5level = try c.decodeIfPresent(Bool.self, forKey: .ept5level)
            ?? decoder.container(keyedBy: ConvertedKeys.self).decodeIfPresent(Bool.self, forKey: .ept5level)
        eptAccessedDirty = try c.decodeIfPresent(Bool.self, forKey: .eptAccessedDirty)
        mbec = try c.decodeIfPresent(Bool.self, forKey: .mbec)
        tscScaling = try c.decodeIfPresent(Bool.self, forKey: .tscScaling)
        preemptionTimer = try c.decodeIfPresent(Bool.self, forKey: .preemptionTimer)
        vmfunc = try c.decodeIfPresent(Bool.self, forKey: .vmfunc)
        tertiaryControls = try c.decodeIfPresent(Bool.self, forKey: .tertiaryControls)
        controls = try c.decodeIfPresent(Controls.self, forKey: .controls)
        eptVpidCapabilities = try c.decodeIfPresent(EPTVPIDCapabilities.self, forKey: .eptVpidCapabilities)
        misc = try c.decodeIfPresent(Misc.self, forKey: .misc)
        fixedBits = try c.decodeIfPresent(FixedBits.self, forKey: .fixedBits)
        vmcsHighestIndex = try c.decodeIfPresent(Int.self, forKey: .vmcsHighestIndex)
        vmfuncControls = try c.decodeIfPresent(UInt64.self, forKey: .vmfuncControls)
    }
}
