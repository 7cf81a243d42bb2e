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

    public init(source: Source) {
        self.source = source
    }

    private enum CodingKeys: String, CodingKey {
        case source, basic, featureControl, ept, vpid, unrestrictedGuest, vmcsShadowing, postedInterrupts
        case apicRegisterVirtualization, virtualInterruptDelivery, pml
        case ept5level = "ept_5level"
        case eptAccessedDirty, mbec, tscScaling, preemptionTimer, vmfunc, tertiaryControls
    }
}
