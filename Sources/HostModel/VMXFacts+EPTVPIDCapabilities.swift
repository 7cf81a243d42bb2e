extension VMXFacts {
    /// IA32_VMX_EPT_VPID_CAP (0x48C), SDM Vol.3D A.10. The EPT bits mean something only when
    /// EPT can be enabled, the INVVPID bits only when VPID can.
    public struct EPTVPIDCapabilities: Codable, Sendable, Hashable {
        public var raw: UInt64
        public var executeOnly: Bool
        public var pageWalk4: Bool
        public var pageWalk5: Bool
        public var uncacheable: Bool
        public var writeBack: Bool
        public var pages2m: Bool
        public var pages1g: Bool
        public var invept: Bool
        public var accessedDirty: Bool
        public var advancedExitInfo: Bool
        public var inveptSingleContext: Bool
        public var inveptAllContext: Bool
        public var invvpid: Bool
        public var invvpidIndividualAddress: Bool
        public var invvpidSingleContext: Bool
        public var invvpidAllContext: Bool
        public var invvpidSingleContextRetainingGlobals: Bool

        public init(raw: UInt64, executeOnly: Bool, pageWalk4: Bool, pageWalk5: Bool, uncacheable: Bool,
                    writeBack: Bool, pages2m: Bool, pages1g: Bool, invept: Bool, accessedDirty: Bool,
                    advancedExitInfo: Bool, inveptSingleContext: Bool, inveptAllContext: Bool, invvpid: Bool,
                    invvpidIndividualAddress: Bool, invvpidSingleContext: Bool, invvpidAllContext: Bool,
                    invvpidSingleContextRetainingGlobals: Bool) {
            self.raw = raw
            self.executeOnly = executeOnly
            self.pageWalk4 = pageWalk4
            self.pageWalk5 = pageWalk5
            self.uncacheable = uncacheable
            self.writeBack = writeBack
            self.pages2m = pages2m
            self.pages1g = pages1g
            self.invept = invept
            self.accessedDirty = accessedDirty
            self.advancedExitInfo = advancedExitInfo
            self.inveptSingleContext = inveptSingleContext
            self.inveptAllContext = inveptAllContext
            self.invvpid = invvpid
            self.invvpidIndividualAddress = invvpidIndividualAddress
            self.invvpidSingleContext = invvpidSingleContext
            self.invvpidAllContext = invvpidAllContext
            self.invvpidSingleContextRetainingGlobals = invvpidSingleContextRetainingGlobals
        }
    }
}
