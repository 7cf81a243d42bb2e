import HostModel

/// Decodes `amd-iommu/cap` (the capability header dword) and `features` (EFR, printed as
/// `EFR` or, since Linux 6.2, `EFR:EFR2`) per AMD IOMMU spec 48882 rev 3.08 §3.2.1 and §3.4.1.
public enum AMDIOMMUDecoder {
    public static func decode(cap: UInt32?, efr: UInt64) -> AMDIOMMUFeatures {
        let gt = efr >> 4 & 1 != 0
        let hats = Int(efr >> 10 & 3)
        return AMDIOMMUFeatures(
            iotlb: cap.map { $0 >> 24 & 1 != 0 }, efrSupported: cap.map { $0 >> 27 & 1 != 0 },
            pageRequests: efr >> 1 & 1 != 0, x2apic: efr >> 2 & 1 != 0, noExecute: efr >> 3 & 1 != 0,
            guestTranslation: gt, guestVirtualApic: efr >> 7 & 1 != 0, hardwareErrors: efr >> 8 & 1 != 0,
            performanceCounters: efr >> 9 & 1 != 0, hostPageTableLevels: hats < 3 ? hats + 4 : nil,
            pasidWidth: gt ? Int(efr >> 32 & 0x1f) + 1 : nil, snp: efr >> 63 & 1 != 0)
    }

    /// `58f77ef22294a5a` or `58f77ef22294a5a:0` → the first register; nil when not hex.
    public static func parseFeatures(_ text: String) -> UInt64? {
        guard let first = text.split(separator: ":", omittingEmptySubsequences: false).first else { return nil }
        return Hex.parse(first)
    }
}
