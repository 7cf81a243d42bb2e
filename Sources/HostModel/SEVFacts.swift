/// AMD memory encryption and confidential guests, from CPUID 0x8000001F.
public struct SEVFacts: Codable, Sendable, Hashable {
    public var sme: Bool
    public var sev: Bool
    public var sevEs: Bool
    public var sevSnp: Bool
    public var vmplSupported: Bool
    /// Page-table bit that marks memory encrypted (EBX[5:0]).
    public var cbitPosition: Int
    /// Simultaneous encrypted guests (ECX) and the lowest ASID usable by non-ES SEV guests (EDX).
    public var encryptedGuests: UInt32
    public var minSevAsid: UInt32

    public init(sme: Bool, sev: Bool, sevEs: Bool, sevSnp: Bool, vmplSupported: Bool, cbitPosition: Int,
                encryptedGuests: UInt32, minSevAsid: UInt32) {
        self.sme = sme
        self.sev = sev
        self.sevEs = sevEs
        self.sevSnp = sevSnp
        self.vmplSupported = vmplSupported
        self.cbitPosition = cbitPosition
        self.encryptedGuests = encryptedGuests
        self.minSevAsid = minSevAsid
    }
}
