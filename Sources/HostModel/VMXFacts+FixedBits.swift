extension VMXFacts {
    /// IA32_VMX_CR0_FIXED0/1 and IA32_VMX_CR4_FIXED0/1 (0x486-0x489), SDM Vol.3D A.7-A.8: in
    /// VMX operation a CR bit must be 1 where FIXED0 has a 1, and must be 0 where FIXED1 has a 0.
    /// Nil members were not readable.
    public struct FixedBits: Codable, Sendable, Hashable {
        public var cr0Fixed0: UInt64?
        public var cr0Fixed1: UInt64?
        public var cr4Fixed0: UInt64?
        public var cr4Fixed1: UInt64?

        public init(cr0Fixed0: UInt64?, cr0Fixed1: UInt64?, cr4Fixed0: UInt64?, cr4Fixed1: UInt64?) {
            self.cr0Fixed0 = cr0Fixed0
            self.cr0Fixed1 = cr0Fixed1
            self.cr4Fixed0 = cr4Fixed0
            self.cr4Fixed1 = cr4Fixed1
        }
    }
}
