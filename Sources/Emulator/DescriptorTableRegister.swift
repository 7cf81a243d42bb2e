/// GDTR or IDTR: a base and a limit (SDM 25.4.1 "Guest Register State": the VMCS keeps the
/// limit in a 32-bit field whose bits 31:16 VM entry requires to be zero, SDM 27.3.1.3; APM
/// Appendix B keeps it in the VMCB save area's 32-bit limit). VM entry and VMRUN load it, VM
/// exit and #VMEXIT save it, VM exit loads the host's base with limit FFFFH (SDM 28.5.2).
public struct DescriptorTableRegister: Codable, Sendable, Hashable {
    public var base: UInt64
    public var limit: UInt32

    public init(base: UInt64 = 0, limit: UInt32 = 0) {
        self.base = base
        self.limit = limit
    }

    /// Which of the two registers (vector keys `gdtr.base`, `idtr.limit`, ...).
    public enum Name: String, Codable, Sendable, Hashable, CaseIterable {
        case gdtr, idtr

        /// Guest-state fields (SDM Appendix B.3.3, B.4.3) and the host-state base field (B.4.4).
        var guestLimitField: UInt32 { self == .gdtr ? 0x4810 : 0x4812 }
        var guestBaseField: UInt32 { self == .gdtr ? 0x6816 : 0x6818 }
        var hostBaseField: UInt32 { self == .gdtr ? 0x6C0C : 0x6C0E }
    }

    /// The limit VM exit gives both host registers (SDM 28.5.2).
    public static let hostLimit: UInt32 = 0xFFFF
}
