extension VMXFacts {
    /// The allowed settings of one 32-bit control word (SDM Vol.3D A.3-A.5): a control bit X
    /// must be 1 when bit X of `allowed0` is 1, and may be 1 only when bit X of `allowed1` is 1.
    public struct AllowedSettings: Codable, Sendable, Hashable {
        public var allowed0: UInt32
        public var allowed1: UInt32

        public init(allowed0: UInt32, allowed1: UInt32) {
            self.allowed0 = allowed0
            self.allowed1 = allowed1
        }

        /// Splits a capability MSR: allowed-0 in bits 31:0, allowed-1 in bits 63:32.
        public init(msr: UInt64) {
            self.init(allowed0: UInt32(truncatingIfNeeded: msr), allowed1: UInt32(truncatingIfNeeded: msr >> 32))
        }

        /// Whether control bit `bit` may be set to 1.
        public func allows(_ bit: Int) -> Bool { allowed1 >> UInt32(bit) & 1 == 1 }
    }

    /// The VM-execution, VM-exit and VM-entry controls a VMM may use on this CPU. Where
    /// IA32_VMX_BASIC bit 55 is set the settings come from the TRUE MSRs (0x48D-0x490), whose
    /// allowed-0 halves let some "default1" controls be 0; otherwise from 0x481-0x484.
    public struct Controls: Codable, Sendable, Hashable {
        public var pinBased: AllowedSettings
        public var primaryProcessorBased: AllowedSettings
        /// Nil when the CPU has no secondary controls (primary allowed-1 bit 31 clear) or the
        /// MSR could not be read; `VMXFacts` tells the two apart (false vs nil capabilities).
        public var secondaryProcessorBased: AllowedSettings?
        /// IA32_VMX_PROCBASED_CTLS3 (0x492): all 64 bits are allowed-1 settings (allowed-0 is
        /// always 0). Nil when primary allowed-1 bit 17 is clear or the MSR was not read.
        public var tertiaryProcessorBasedAllowed1: UInt64?
        public var exit: AllowedSettings?
        public var entry: AllowedSettings?
        /// True when every settings word came from the TRUE MSRs 0x48D-0x490.
        public var fromTrueMsrs: Bool

        public init(pinBased: AllowedSettings, primaryProcessorBased: AllowedSettings,
                    secondaryProcessorBased: AllowedSettings?, tertiaryProcessorBasedAllowed1: UInt64?,
                    exit: AllowedSettings?, entry: AllowedSettings?, fromTrueMsrs: Bool) {
            self.pinBased = pinBased
            self.primaryProcessorBased = primaryProcessorBased
            self.secondaryProcessorBased = secondaryProcessorBased
            self.tertiaryProcessorBasedAllowed1 = tertiaryProcessorBasedAllowed1
            self.exit = exit
            self.entry = entry
            self.fromTrueMsrs = fromTrueMsrs
        }
    }
}
