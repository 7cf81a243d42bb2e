/// The named starting states a vector's `given` column begins with (Data/spec/README.md), built
/// from the capabilities so that a base is architecturally valid on the CPU the model stands for.
public enum VectorBase: String, Sendable, Hashable, CaseIterable {
    /// CPL 0, 64-bit mode, CR4.VMXE = 1, IA32_FEATURE_CONTROL locked with VMX outside SMX, not
    /// in VMX operation; a VMXON region at 0x1000, a VMCS at 0x2000 (clear, with state that passes
    /// VM entry) and a shadow VMCS at 0x3000.
    case outside
    /// `outside` after VMXON 0x1000: VMX root, no current VMCS.
    case root
    /// `root` after VMPTRLD 0x2000.
    case current
    /// `current` with the VMCS at 0x2000 launched.
    case launched
    /// `launched` after VM entry: VMX non-root operation at CPL 0.
    case guest
    /// CPL 0, 64-bit mode, EFER.SVME = 1, VM_HSAVE_PA = 0x7000, a valid VMCB at 0x5000.
    case svm
    /// `svm` inside the guest of the VMCB at 0x5000 (which intercepts only VMRUN).
    case svmGuest = "svm-guest"

    public static let vmxonRegion: UInt64 = 0x1000
    public static let vmcsRegion: UInt64 = 0x2000
    public static let shadowRegion: UInt64 = 0x3000
    public static let vmcbAddress: UInt64 = 0x5000
    public static let hsaveAddress: UInt64 = 0x7000

    /// Where the host's code and stack are in every base (the instruction executes at `hostRIP`).
    public static let hostRIP: UInt64 = 0xFFFF_FFFF_8000_1000
    public static let hostRSP: UInt64 = 0xFFFF_FFFF_8000_8000
    /// Where the VMX guest of `guest` runs.
    public static let guestRIP: UInt64 = 0x40_0000
    public static let guestRSP: UInt64 = 0x40_8000

    /// The flat 64-bit segment registers every base's host runs with.
    static let hostSegments: [SegmentRegister: Segment] = [
        .es: .data, .cs: .code64, .ss: .data, .ds: .data, .fs: .data, .gs: .data, .ldtr: Segment(), .tr: .tss,
    ]

    public func state(_ capabilities: VMXCapabilityMSRs) -> MachineState {
        let cr0: UInt64 = 0x8000_0031   // PG, NE, ET, PE
        switch self {
        case .outside:
            let revision = capabilities.revisionID
            return MachineState(capabilities: capabilities, cr0: cr0 | capabilities.cr0Fixed0, cr4: 0x2020 | capabilities.cr4Fixed0,
                                efer: 0x500, rip: Self.hostRIP, rsp: Self.hostRSP, cr3: 0x10000, segments: Self.hostSegments,
                                vmcs: [
                                    Self.vmxonRegion: VMCSRegion(header: revision),
                                    Self.vmcsRegion: Self.enterableVMCS(capabilities, cr0: cr0 | capabilities.cr0Fixed0,
                                                                        cr4: 0x2020 | capabilities.cr4Fixed0),
                                    Self.shadowRegion: VMCSRegion(header: revision | 1 << 31),
                                ])
        case .root:
            var s = VectorBase.outside.state(capabilities)
            s.mode = .root
            s.vmxonPointer = Self.vmxonRegion
            return s
        case .current:
            var s = VectorBase.root.state(capabilities)
            s.currentVMCS = Self.vmcsRegion
            return s
        case .launched:
            var s = VectorBase.current.state(capabilities)
            s.vmcs[Self.vmcsRegion]?.launched = true
            return s
        case .guest:
            // VM entry's guest-state loading, as VMRESUME would do it.
            var s = VectorBase.launched.state(capabilities)
            _ = VMXTransitions.loadGuest(&s)
            return s
        case .svm:
            return MachineState(capabilities: capabilities, cr0: cr0, cr4: 0x20, efer: 0x1500, rip: Self.hostRIP, rsp: Self.hostRSP,
                                cr3: 0x10000, segments: Self.hostSegments, hsavePA: Self.hsaveAddress,
                                vmcbs: [Self.vmcbAddress: VMCB.valid])
        case .svmGuest:
            // VMRUN's host save and guest load.
            var s = VectorBase.svm.state(capabilities)
            SVMInstructions.enterGuest(&s, vmcb: Self.vmcbAddress)
            return s
        }
    }

    /// A clear VMCS whose controls are the CPU's must-be-one settings (SDM A.3-A.5, TRUE MSRs
    /// when BASIC[55] = 1) plus the 64-bit host and guest, and whose host and guest state passes
    /// the modelled VM-entry checks: the host is the base's own state, the guest a flat 64-bit
    /// one at `guestRIP` with CR3 0x30_0000.
    static func enterableVMCS(_ c: VMXCapabilityMSRs, cr0: UInt64, cr4: UInt64) -> VMCSRegion {
        var region = VMCSRegion(header: c.revisionID, fields: [
            VMCSFieldEncoding.pinbasedControls: c.entryPinbased & 0xFFFF_FFFF,
            VMCSFieldEncoding.procbasedControls: c.entryProcbased & 0xFFFF_FFFF,
            VMCSFieldEncoding.exitControls: c.entryExit & 0xFFFF_FFFF | 1 << 9,
            VMCSFieldEncoding.entryControls: c.entryEntry & 0xFFFF_FFFF | 1 << 9,
            VMCSFieldEncoding.hostCR0: cr0,
            VMCSFieldEncoding.hostCR3: 0x10000,
            VMCSFieldEncoding.hostCR4: cr4,
            VMCSFieldEncoding.hostCSSelector: 0x08,
            VMCSFieldEncoding.hostSSSelector: 0x10,
            VMCSFieldEncoding.hostTRSelector: 0x18,
            VMCSFieldEncoding.hostRIP: 0xFFFF_FFFF_8100_0000,
            VMCSFieldEncoding.guestCR0: cr0,
            VMCSFieldEncoding.guestCR4: cr4,
            VMCSFieldEncoding.guestRFLAGS: 0x2,
            VMCSFieldEncoding.vmcsLinkPointer: MachineState.invalidPointer,
            VMCSFieldEncoding.hostRSP: hostRSP,
            VMCSFieldEncoding.guestCR3: 0x30_0000,
            VMCSFieldEncoding.guestRIP: guestRIP,
            VMCSFieldEncoding.guestRSP: guestRSP,
        ])
        let guestSegments: [SegmentRegister: Segment] = [
            .es: .data, .cs: .code64, .ss: .data, .ds: .data, .fs: .data, .gs: .data, .ldtr: Segment(), .tr: .tss,
        ]
        for (r, segment) in guestSegments {
            region[r.guestSelectorField] = UInt64(segment.selector)
            region[r.guestAccessRightsField] = UInt64(segment.attributes)
            region[r.guestLimitField] = UInt64(segment.limit)
            region[r.guestBaseField] = segment.base
        }
        return region
    }
}
