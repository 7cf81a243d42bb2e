/// A 4-KByte region of physical memory used as a VMCS or VMXON region (SDM 25.2, "Format of the
/// VMCS Region"): the 32-bit header (revision identifier in bits 30:0, shadow-VMCS indicator in
/// bit 31), the launch state and the field values. The in-memory layout beyond the header is
/// implementation-specific, so fields are kept by encoding.
public struct VMCSRegion: Codable, Sendable, Hashable {
    /// The header dword as software wrote it.
    public var header: UInt32
    /// True once VMLAUNCH succeeded on it; VMCLEAR makes it false ("clear").
    public var launched: Bool
    /// Field values by full encoding (bit 0 = 0).
    public var fields: [UInt32: UInt64]
    /// The VMX-abort indicator (bytes 4-7 of the region), written by a VMX abort (SDM 28.7).
    public var abortIndicator: UInt32

    public init(header: UInt32, launched: Bool = false, fields: [UInt32: UInt64] = [:], abortIndicator: UInt32 = 0) {
        self.header = header
        self.launched = launched
        self.fields = fields
        self.abortIndicator = abortIndicator
    }

    public var revision: UInt32 { header & 0x7FFF_FFFF }
    public var isShadow: Bool { header >> 31 == 1 }

    public subscript(_ encoding: UInt32) -> UInt64 {
        get { fields[encoding] ?? 0 }
        set { fields[encoding] = newValue }
    }
}
