extension VMXFacts {
    /// IA32_VMX_MISC (0x485), SDM Vol.3D A.6.
    public struct Misc: Codable, Sendable, Hashable {
        public var raw: UInt64
        /// The VMX-preemption timer counts down by 1 each time TSC bit X changes.
        public var preemptionTimerRate: Int
        /// Bit 5; the SDM guarantees 1 wherever "unrestricted guest" can be 1.
        public var storesLma: Bool
        public var activityHlt: Bool
        public var activityShutdown: Bool
        public var activityWaitForSipi: Bool
        public var processorTraceInVmx: Bool
        public var smbaseReadInSmm: Bool
        public var cr3TargetCount: Int
        /// Recommended maximum MSRs in each VM-entry/exit MSR list: 512 * (N + 1).
        public var maxMsrListSize: Int
        public var vmxoffBlocksSmi: Bool
        /// VMWRITE may write read-only VM-exit information fields (KVM needs it for shadow VMCS).
        public var vmwriteAnyField: Bool
        public var zeroLengthInjection: Bool
        public var msegRevisionId: UInt32

        public init(raw: UInt64, preemptionTimerRate: Int, storesLma: Bool, activityHlt: Bool, activityShutdown: Bool,
                    activityWaitForSipi: Bool, processorTraceInVmx: Bool, smbaseReadInSmm: Bool, cr3TargetCount: Int,
                    maxMsrListSize: Int, vmxoffBlocksSmi: Bool, vmwriteAnyField: Bool, zeroLengthInjection: Bool,
                    msegRevisionId: UInt32) {
            self.raw = raw
            self.preemptionTimerRate = preemptionTimerRate
            self.storesLma = storesLma
            self.activityHlt = activityHlt
            self.activityShutdown = activityShutdown
            self.activityWaitForSipi = activityWaitForSipi
            self.processorTraceInVmx = processorTraceInVmx
            self.smbaseReadInSmm = smbaseReadInSmm
            self.cr3TargetCount = cr3TargetCount
            self.maxMsrListSize = maxMsrListSize
            self.vmxoffBlocksSmi = vmxoffBlocksSmi
            self.vmwriteAnyField = vmwriteAnyField
            self.zeroLengthInjection = zeroLengthInjection
            self.msegRevisionId = msegRevisionId
        }
    }
}
