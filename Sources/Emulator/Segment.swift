/// The segment registers VM entry, VM exit, VMRUN, #VMEXIT, VMLOAD and VMSAVE move, in the VMCS
/// field order of SDM Appendix B (ES CS SS DS FS GS LDTR TR: field index = raw value).
public enum SegmentRegister: Int, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case es, cs, ss, ds, fs, gs, ldtr, tr

    /// `es`, `cs`, ... as vector keys spell them.
    public var name: String {
        switch self {
        case .es: "es"
        case .cs: "cs"
        case .ss: "ss"
        case .ds: "ds"
        case .fs: "fs"
        case .gs: "gs"
        case .ldtr: "ldtr"
        case .tr: "tr"
        }
    }

    /// Guest-state VMCS fields (SDM B.1.2, B.3.3, B.4.3): selector, limit, access rights, base.
    public var guestSelectorField: UInt32 { 0x0800 + 2 * UInt32(rawValue) }
    public var guestLimitField: UInt32 { 0x4800 + 2 * UInt32(rawValue) }
    public var guestAccessRightsField: UInt32 { 0x4814 + 2 * UInt32(rawValue) }
    public var guestBaseField: UInt32 { 0x6806 + 2 * UInt32(rawValue) }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One segment register's hidden state: selector, base, limit and attributes. `attributes` uses
/// the VMCS access-rights layout (SDM 25.4.1 Table 25-2): type 3:0, S 4, DPL 6:5, P 7, AVL 12,
/// L 13, D/B 14, G 15, unusable 16. The VMCB keeps the packed 12-bit form (APM Appendix B,
/// "attrib": access-rights bits 7:0 and 15:12); `vmcbAttributes` converts.
public struct Segment: Codable, Sendable, Hashable {
    public var selector: UInt16
    public var attributes: UInt32
    public var limit: UInt32
    public var base: UInt64

    public init(selector: UInt16 = 0, attributes: UInt32 = Segment.unusable, limit: UInt32 = 0, base: UInt64 = 0) {
        self.selector = selector
        self.attributes = attributes
        self.limit = limit
        self.base = base
    }

    /// Access-rights bit 16: the register is unusable (a null selector was loaded).
    public static let unusable: UInt32 = 1 << 16
    /// A flat 64-bit code segment: type 11 (execute/read, accessed), S, P, L, G.
    public static let code64 = Segment(selector: 0x08, attributes: 0xA09B, limit: 0xFFFF_FFFF)
    /// A flat data segment: type 3 (read/write, accessed), S, P, D/B, G.
    public static let data = Segment(selector: 0x10, attributes: 0xC093, limit: 0xFFFF_FFFF)
    /// A 64-bit busy TSS: type 11, P.
    public static let tss = Segment(selector: 0x18, attributes: 0x8B, limit: 0x67)

    public var isUnusable: Bool { attributes & Self.unusable != 0 }
    public var type: UInt32 { attributes & 0xF }
    /// Descriptor privilege level, access rights 6:5.
    public var dpl: UInt32 { attributes >> 5 & 3 }
    public var l: Bool { attributes >> 13 & 1 == 1 }
    public var db: Bool { attributes >> 14 & 1 == 1 }

    /// The VMCB's packed attribute word.
    public var vmcbAttributes: UInt16 { UInt16(attributes & 0xFF | attributes >> 4 & 0xF00) }

    /// The access rights of a VMCB's packed attribute word.
    public static func accessRights(vmcb attrib: UInt16) -> UInt32 {
        UInt32(attrib & 0xFF) | UInt32(attrib & 0xF00) << 4
    }
}

/// The MSRs the modelled transitions move (Linux msr-index.h; SDM Vol.4; APM VMLOAD/VMSAVE).
public enum ModelMSR: UInt32, Codable, Sendable, Hashable, CaseIterable {
    case sysenterCS = 0x174, sysenterESP = 0x175, sysenterEIP = 0x176
    case efer = 0xC000_0080, star = 0xC000_0081, lstar = 0xC000_0082, cstar = 0xC000_0083, sfmask = 0xC000_0084
    case fsBase = 0xC000_0100, gsBase = 0xC000_0101, kernelGSBase = 0xC000_0102
    case smmMonitorControl = 0x9B, pat = 0x277, perfGlobalCtrl = 0x38F
    case microcodeUpdate = 0x79, microcodeRevision = 0x8B

    /// Key spelling in vectors (`msr.star`, ...).
    public var name: String {
        switch self {
        case .sysenterCS: "sysenter-cs"
        case .sysenterESP: "sysenter-esp"
        case .sysenterEIP: "sysenter-eip"
        case .efer: "efer"
        case .star: "star"
        case .lstar: "lstar"
        case .cstar: "cstar"
        case .sfmask: "sfmask"
        case .fsBase: "fs-base"
        case .gsBase: "gs-base"
        case .kernelGSBase: "kernel-gs-base"
        case .smmMonitorControl: "smm-monitor-ctl"
        case .pat: "pat"
        case .perfGlobalCtrl: "perf-global-ctrl"
        case .microcodeUpdate: "ucode-write"
        case .microcodeRevision: "ucode-rev"
        }
    }

    /// The MSRs VMLOAD and VMSAVE move besides the FS/GS/TR/LDTR state (APM Vol.3 "VMLOAD").
    public static let vmloadSet: [ModelMSR] = [.kernelGSBase, .star, .lstar, .cstar, .sfmask, .sysenterCS, .sysenterESP, .sysenterEIP]
}
