/// An Intel VT-d remapping unit's Capability and Extended Capability registers, decoded
/// (VT-d spec rev 4.1 §11.4.2 and §11.4.3), the bits that decide what device assignment can do.
public struct IntelIOMMUCapabilities: Codable, Sendable, Hashable {
    /// CAP.SAGAW bits 12:8 as page-table levels supported for second-stage translation (3, 4, 5).
    public var pageWalkLevels: [Int]
    /// CAP.MGAW bits 21:16 + 1: the widest guest address, in bits.
    public var addressWidth: Int
    /// CAP.ND bits 2:0: 2^(4+2·ND) domains.
    public var domains: Int
    /// CAP bit 59: posted interrupts (interrupts straight into a running guest).
    public var postedInterrupts: Bool
    /// CAP bits 35:34: 2 MiB and 1 GiB second-stage pages.
    public var superpages2M: Bool
    public var superpages1G: Bool
    /// ECAP bit 3: interrupt remapping; bit 4: extended (x2APIC) interrupt mode.
    public var interruptRemapping: Bool
    public var extendedInterruptMode: Bool
    /// ECAP bit 6: pass-through (identity) translation, what iommu=pt uses.
    public var passThrough: Bool
    /// ECAP bit 2: device TLB (ATS); bit 1: queued invalidation; bit 7: snoop control.
    public var deviceTlb: Bool
    public var queuedInvalidation: Bool
    public var snoopControl: Bool
    /// ECAP bit 26: nested translation (first stage over second stage, for vIOMMU).
    public var nestedTranslation: Bool
    /// ECAP bit 29: page requests (PRI); bit 40: PASID; bit 43: scalable mode.
    public var pageRequests: Bool
    public var pasid: Bool
    public var scalableMode: Bool
    /// ECAP bits 39:35 + 1: PASID width in bits, when PASID is supported.
    public var pasidWidth: Int?

    public init(pageWalkLevels: [Int], addressWidth: Int, domains: Int, postedInterrupts: Bool, superpages2M: Bool,
                superpages1G: Bool, interruptRemapping: Bool, extendedInterruptMode: Bool, passThrough: Bool,
                deviceTlb: Bool, queuedInvalidation: Bool, snoopControl: Bool, nestedTranslation: Bool,
                pageRequests: Bool, pasid: Bool, scalableMode: Bool, pasidWidth: Int?) {
        self.pageWalkLevels = pageWalkLevels
        self.addressWidth = addressWidth
        self.domains = domains
        self.postedInterrupts = postedInterrupts
        self.superpages2M = superpages2M
        self.superpages1G = superpages1G
        self.interruptRemapping = interruptRemapping
        self.extendedInterruptMode = extendedInterruptMode
        self.passThrough = passThrough
        self.deviceTlb = deviceTlb
        self.queuedInvalidation = queuedInvalidation
        self.snoopControl = snoopControl
        self.nestedTranslation = nestedTranslation
        self.pageRequests = pageRequests
        self.pasid = pasid
        self.scalableMode = scalableMode
        self.pasidWidth = pasidWidth
    }
}
