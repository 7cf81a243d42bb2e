import HostModel

/// Decodes `intel-iommu/cap` and `ecap` (printed by the kernel as bare hex) into the VT-d
/// capabilities that matter for assignment (VT-d spec rev 4.1 §11.4.2, §11.4.3).
public enum IntelIOMMUDecoder {
    public static func decode(cap: UInt64, ecap: UInt64) -> IntelIOMMUCapabilities {
        let sagaw = Int(cap >> 8 & 0x1f)
        let pasid = ecap >> 40 & 1 != 0
        return IntelIOMMUCapabilities(
            pageWalkLevels: [(1, 3), (2, 4), (3, 5)].filter { sagaw & (1 << $0.0) != 0 }.map(\.1),
            addressWidth: Int(cap >> 16 & 0x3f) + 1, domains: 1 << (4 + 2 * Int(cap & 7)),
            postedInterrupts: cap >> 59 & 1 != 0, superpages2M: cap >> 34 & 1 != 0, superpages1G: cap >> 35 & 1 != 0,
            interruptRemapping: ecap >> 3 & 1 != 0, extendedInterruptMode: ecap >> 4 & 1 != 0,
            passThrough: ecap >> 6 & 1 != 0, deviceTlb: ecap >> 2 & 1 != 0, queuedInvalidation: ecap >> 1 & 1 != 0,
            snoopControl: ecap >> 7 & 1 != 0, nestedTranslation: ecap >> 26 & 1 != 0, pageRequests: ecap >> 29 & 1 != 0,
            pasid: pasid, scalableMode: ecap >> 43 & 1 != 0, pasidWidth: pasid ? Int(ecap >> 35 & 0x1f) + 1 : nil)
    }
}
