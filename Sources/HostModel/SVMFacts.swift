/// AMD-V capabilities from CPUID 0x8000000A, and whether firmware disabled SVM (VM_CR.SVMDIS).
public struct SVMFacts: Codable, Sendable, Hashable {
    public var revision: Int
    /// Number of address space identifiers (EBX).
    public var nasid: UInt32
    public var nestedPaging: Bool
    public var lbrVirt: Bool
    public var svmLock: Bool
    public var nripSave: Bool
    public var tscRateMsr: Bool
    public var vmcbClean: Bool
    public var flushByAsid: Bool
    public var decodeAssists: Bool
    public var pauseFilter: Bool
    public var pauseFilterThreshold: Bool
    public var avic: Bool
    public var vmsaveVirt: Bool
    public var vgif: Bool
    public var x2avic: Bool
    /// VM_CR (0xC0010114) bit 4 SVMDIS; nil when the MSR could not be read.
    public var disabledByBios: Bool?
    /// VM_CR bit 3 LOCK; nil when unread.
    public var vmcrLocked: Bool?

    public init(revision: Int, nasid: UInt32, nestedPaging: Bool, lbrVirt: Bool, svmLock: Bool, nripSave: Bool,
                tscRateMsr: Bool, vmcbClean: Bool, flushByAsid: Bool, decodeAssists: Bool, pauseFilter: Bool,
                pauseFilterThreshold: Bool, avic: Bool, vmsaveVirt: Bool, vgif: Bool, x2avic: Bool,
                disabledByBios: Bool?, vmcrLocked: Bool?) {
        self.revision = revision
        self.nasid = nasid
        self.nestedPaging = nestedPaging
        self.lbrVirt = lbrVirt
        self.svmLock = svmLock
        self.nripSave = nripSave
        self.tscRateMsr = tscRateMsr
        self.vmcbClean = vmcbClean
        self.flushByAsid = flushByAsid
        self.decodeAssists = decodeAssists
        self.pauseFilter = pauseFilter
        self.pauseFilterThreshold = pauseFilterThreshold
        self.avic = avic
        self.vmsaveVirt = vmsaveVirt
        self.vgif = vgif
        self.x2avic = x2avic
        self.disabledByBios = disabledByBios
        self.vmcrLocked = vmcrLocked
    }
}
