/// AMD memory encryption and confidential guests, from CPUID 0x8000001F (AMD APM Vol.3 App.E,
/// CPUID Fn8000_001F; Linux arch/x86/include/asm/cpufeatures.h word 19, arch/x86/kvm/svm/sev.c).
public struct SEVFacts: Codable, Sendable, Hashable {
    // EAX bits. Bit numbers are in `CPUIDDecoder.sev`.
    public var sme = false
    public var sev = false
    public var vmPageFlush = false
    public var sevEs = false
    public var sevSnp = false
    /// VM permission levels (needed by SEV-SNP guests that run an SVSM).
    public var vmplSupported = false
    public var secureTsc = false
    /// Hardware keeps caches coherent across encryption domains (no flush on page re-keying).
    public var smeCoherent = false
    /// Full debug-register swap for SEV-ES guests.
    public var debugSwap = false
    /// EBX[5:0]: the page-table bit that marks memory encrypted (the C-bit).
    public var cbitPosition = 0
    /// EBX[11:6]: physical address bits lost when memory encryption is on.
    public var physAddrReduction = 0
    /// ECX: encrypted guests that can run at once (the highest SEV ASID).
    public var encryptedGuests: UInt32 = 0
    /// EDX: the lowest ASID an SEV guest without SEV-ES may use (lower ones are SEV-ES only).
    public var minSevAsid: UInt32 = 0

    public init() {}
}
