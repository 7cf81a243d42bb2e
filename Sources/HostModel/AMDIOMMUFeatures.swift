/// An AMD-Vi unit's capability header and Extended Feature Register, decoded (AMD I/O
/// Virtualization Technology (IOMMU) Specification 48882 rev 3.08, §3.2.1 capability header and
/// §3.4.1 MMIO offset 0030h). Interrupt remapping is part of every AMD-Vi unit, so it has no bit.
public struct AMDIOMMUFeatures: Codable, Sendable, Hashable {
    /// Capability header bit 24: remote IOTLB (ATS); bit 27: the EFR exists.
    public var iotlb: Bool?
    public var efrSupported: Bool?
    /// EFR bit 1 PPRSup, 2 XTSup (x2APIC), 3 NXSup, 4 GTSup (guest translation), 6 IASup,
    /// 7 GASup (guest virtual APIC: posted interrupts), 8 HESup, 9 PCSup.
    public var pageRequests: Bool
    public var x2apic: Bool
    public var noExecute: Bool
    public var guestTranslation: Bool
    public var guestVirtualApic: Bool
    public var hardwareErrors: Bool
    public var performanceCounters: Bool
    /// EFR bits 11:10 HATS: host page-table levels (4, 5, 6).
    public var hostPageTableLevels: Int?
    /// EFR bits 36:32 PASmax + 1: PASID width, when guest translation is supported.
    public var pasidWidth: Int?
    /// EFR bit 63: SEV-SNP support.
    public var snp: Bool

    public init(iotlb: Bool?, efrSupported: Bool?, pageRequests: Bool, x2apic: Bool, noExecute: Bool,
                guestTranslation: Bool, guestVirtualApic: Bool, hardwareErrors: Bool, performanceCounters: Bool,
                hostPageTableLevels: Int?, pasidWidth: Int?, snp: Bool) {
        self.iotlb = iotlb
        self.efrSupported = efrSupported
        self.pageRequests = pageRequests
        self.x2apic = x2apic
        self.noExecute = noExecute
        self.guestTranslation = guestTranslation
        self.guestVirtualApic = guestVirtualApic
        self.hardwareErrors = hardwareErrors
        self.performanceCounters = performanceCounters
        self.hostPageTableLevels = hostPageTableLevels
        self.pasidWidth = pasidWidth
        self.snp = snp
    }
}
