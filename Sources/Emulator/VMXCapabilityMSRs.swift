import HostModel

/// The raw IA32_VMX_* capability MSRs (SDM Vol.3 Appendix A) plus the physical-address width
/// (CPUID 0x80000008 EAX[7:0]). The model reads its limits from these values only, so the same
/// code behaves as any real CPU once it is given that CPU's MSRs (live, snapshot or corpus).
public struct VMXCapabilityMSRs: Codable, Sendable, Hashable {
    /// IA32_VMX_BASIC (0x480).
    public var basic: UInt64
    /// IA32_VMX_PINBASED_CTLS (0x481): allowed-0 settings in bits 31:0, allowed-1 in 63:32.
    public var pinbased: UInt64
    /// IA32_VMX_PROCBASED_CTLS (0x482).
    public var procbased: UInt64
    /// IA32_VMX_EXIT_CTLS (0x483).
    public var exit: UInt64
    /// IA32_VMX_ENTRY_CTLS (0x484).
    public var entry: UInt64
    /// IA32_VMX_MISC (0x485).
    public var misc: UInt64
    /// IA32_VMX_CR0_FIXED0 (0x486): bits that must be 1 in CR0.
    public var cr0Fixed0: UInt64
    /// IA32_VMX_CR0_FIXED1 (0x487): bits that may be 1 in CR0.
    public var cr0Fixed1: UInt64
    /// IA32_VMX_CR4_FIXED0 (0x488).
    public var cr4Fixed0: UInt64
    /// IA32_VMX_CR4_FIXED1 (0x489).
    public var cr4Fixed1: UInt64
    /// IA32_VMX_VMCS_ENUM (0x48A): bits 9:1 give the highest field index.
    public var vmcsEnum: UInt64
    /// IA32_VMX_PROCBASED_CTLS2 (0x48B); 0 when the primary controls cannot activate it.
    public var procbased2: UInt64
    /// IA32_VMX_EPT_VPID_CAP (0x48C); 0 when neither EPT nor VPID can be enabled.
    public var eptVPIDCap: UInt64
    /// IA32_VMX_TRUE_PINBASED_CTLS .. TRUE_ENTRY_CTLS (0x48D-0x490); nil when BASIC[55] = 0.
    public var truePinbased: UInt64?
    public var trueProcbased: UInt64?
    public var trueExit: UInt64?
    public var trueEntry: UInt64?
    /// IA32_VMX_VMFUNC (0x491); 0 when VM functions cannot be enabled.
    public var vmfunc: UInt64
    /// IA32_VMX_PROCBASED_CTLS3 (0x492); 0 when tertiary controls cannot be activated.
    public var procbased3: UInt64
    /// Physical-address width (MAXPHYADDR) from CPUID 0x80000008 EAX[7:0].
    public var physicalAddressWidth: Int

    public init(basic: UInt64, pinbased: UInt64, procbased: UInt64, exit: UInt64, entry: UInt64, misc: UInt64,
                cr0Fixed0: UInt64, cr0Fixed1: UInt64, cr4Fixed0: UInt64, cr4Fixed1: UInt64, vmcsEnum: UInt64,
                procbased2: UInt64 = 0, eptVPIDCap: UInt64 = 0, truePinbased: UInt64? = nil, trueProcbased: UInt64? = nil,
                trueExit: UInt64? = nil, trueEntry: UInt64? = nil, vmfunc: UInt64 = 0, procbased3: UInt64 = 0,
                physicalAddressWidth: Int) {
        self.basic = basic
        self.pinbased = pinbased
        self.procbased = procbased
        self.exit = exit
        self.entry = entry
        self.misc = misc
        self.cr0Fixed0 = cr0Fixed0
        self.cr0Fixed1 = cr0Fixed1
        self.cr4Fixed0 = cr4Fixed0
        self.cr4Fixed1 = cr4Fixed1
        self.vmcsEnum = vmcsEnum
        self.procbased2 = procbased2
        self.eptVPIDCap = eptVPIDCap
        self.truePinbased = truePinbased
        self.trueProcbased = trueProcbased
        self.trueExit = trueExit
        self.trueEntry = trueEntry
        self.vmfunc = vmfunc
        self.procbased3 = procbased3
        self.physicalAddressWidth = physicalAddressWidth
    }

    /// Builds the set from MSR reads keyed by index (as in `MSREvidence`). Returns nil when a
    /// mandatory MSR (0x480-0x48A) is missing: without them the model cannot know its limits.
    public init?(msrs: [UInt32: UInt64], physicalAddressWidth: Int) {
        guard let basic = msrs[0x480], let pin = msrs[0x481], let proc = msrs[0x482], let exit = msrs[0x483],
              let entry = msrs[0x484], let misc = msrs[0x485], let f00 = msrs[0x486], let f01 = msrs[0x487],
              let f40 = msrs[0x488], let f41 = msrs[0x489], let vmcsEnum = msrs[0x48A] else { return nil }
        let hasTrue = basic >> 55 & 1 == 1
        self.init(basic: basic, pinbased: pin, procbased: proc, exit: exit, entry: entry, misc: misc,
                  cr0Fixed0: f00, cr0Fixed1: f01, cr4Fixed0: f40, cr4Fixed1: f41, vmcsEnum: vmcsEnum,
                  procbased2: proc >> 63 == 1 ? msrs[0x48B] ?? 0 : 0, eptVPIDCap: msrs[0x48C] ?? 0,
                  truePinbased: hasTrue ? msrs[0x48D] : nil, trueProcbased: hasTrue ? msrs[0x48E] : nil,
                  trueExit: hasTrue ? msrs[0x48F] : nil, trueEntry: hasTrue ? msrs[0x490] : nil,
                  vmfunc: msrs[0x491] ?? 0, procbased3: msrs[0x492] ?? 0, physicalAddressWidth: physicalAddressWidth)
    }

    /// From one CPU's reads in a snapshot; nil when the VMX MSRs were not readable there.
    public init?(evidence: MSREvidence.CPU, physicalAddressWidth: Int) {
        var values: [UInt32: UInt64] = [:]
        for index in UInt32(0x480)...0x492 {
            if let value = evidence.value(index) { values[index] = value }
        }
        self.init(msrs: values, physicalAddressWidth: physicalAddressWidth)
    }

    /// The configuration the suite runs with when the host has no VMX MSRs (this machine is
    /// AMD): an Intel Xeon Platinum 8180 (Skylake-SP, family 6 model 0x55 stepping 4), whose MSRs
    /// are row `GenuineIntel0050654_SkylakeXeon_CPUID6.txt` of
    /// Data/corpus/vmx-msrs/vmx-msrs-175-cpus.csv and whose MAXPHYADDR is 46 (CPUID 0x80000008
    /// EAX = 0x302e in the same InstLatx64 dump). The dump has no IA32_VMX_VMFUNC; 1 (EPTP
    /// switching, the only VM function the SDM defines) is assumed, as KVM reports for this CPU.
    public static let reference = VMXCapabilityMSRs(
        basic: 0x00DA_0400_0000_0004, pinbased: 0x0000_00FF_0000_0016, procbased: 0xFFF9_FFFE_0401_E172,
        exit: 0x01FF_FFFF_0003_6DFF, entry: 0x0003_FFFF_0000_11FF, misc: 0x0000_0000_7004_C1E7,
        cr0Fixed0: 0x8000_0021, cr0Fixed1: 0xFFFF_FFFF, cr4Fixed0: 0x2000, cr4Fixed1: 0x0077_67FF,
        vmcsEnum: 0x2E, procbased2: 0x025F_7FFF_0000_0000, eptVPIDCap: 0x0000_0F01_0673_4141,
        truePinbased: 0x0000_00FF_0000_0016, trueProcbased: 0xFFF9_FFFE_0400_6172,
        trueExit: 0x01FF_FFFF_0003_6DFB, trueEntry: 0x0003_FFFF_0000_11FB, vmfunc: 1, physicalAddressWidth: 46)

    // MARK: coding — MSR values as hex strings, as snapshots write them

    private enum CodingKeys: String, CodingKey {
        case basic, pinbased, procbased, exit, entry, misc, procbased2, vmfunc, procbased3
        case cr0Fixed0 = "cr0_fixed0", cr0Fixed1 = "cr0_fixed1", cr4Fixed0 = "cr4_fixed0", cr4Fixed1 = "cr4_fixed1"
        case vmcsEnum = "vmcs_enum", eptVPIDCap = "ept_vpid_cap", truePinbased = "true_pinbased"
        case trueProcbased = "true_procbased", trueExit = "true_exit", trueEntry = "true_entry"
        case physicalAddressWidth = "physical_address_width"
    }

    private static let valueKeys: [(CodingKeys, WritableKeyPath<VMXCapabilityMSRs, UInt64> & Sendable)] = [
        (.basic, \.basic), (.pinbased, \.pinbased), (.procbased, \.procbased), (.exit, \.exit), (.entry, \.entry),
        (.misc, \.misc), (.cr0Fixed0, \.cr0Fixed0), (.cr0Fixed1, \.cr0Fixed1), (.cr4Fixed0, \.cr4Fixed0),
        (.cr4Fixed1, \.cr4Fixed1), (.vmcsEnum, \.vmcsEnum), (.procbased2, \.procbased2), (.eptVPIDCap, \.eptVPIDCap),
        (.vmfunc, \.vmfunc), (.procbased3, \.procbased3),
    ]

    private static let optionalKeys: [(CodingKeys, WritableKeyPath<VMXCapabilityMSRs, UInt64?> & Sendable)] = [
        (.truePinbased, \.truePinbased), (.trueProcbased, \.trueProcbased), (.trueExit, \.trueExit), (.trueEntry, \.trueEntry),
    ]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func hex(_ key: CodingKeys) throws -> UInt64 {
            let text = try c.decode(String.self, forKey: key)
            guard let value = Hex.parse(Substring(text)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not 64-bit hex")
            }
            return value
        }
        self = VMXCapabilityMSRs.reference
        for (key, path) in Self.valueKeys { self[keyPath: path] = try hex(key) }
        for (key, path) in Self.optionalKeys { self[keyPath: path] = c.contains(key) ? try hex(key) : nil }
        physicalAddressWidth = try c.decode(Int.self, forKey: .physicalAddressWidth)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for (key, path) in Self.valueKeys { try c.encode(Hex.format64(self[keyPath: path]), forKey: key) }
        for (key, path) in Self.optionalKeys { try c.encodeIfPresent(self[keyPath: path].map(Hex.format64), forKey: key) }
        try c.encode(physicalAddressWidth, forKey: .physicalAddressWidth)
    }

    // MARK: derived capabilities

    /// VMCS revision identifier, IA32_VMX_BASIC[30:0].
    public var revisionID: UInt32 { UInt32(truncatingIfNeeded: basic) & 0x7FFF_FFFF }
    /// BASIC[48]: VMXON/VMCS/bitmap addresses are limited to 32 bits.
    public var addressesLimitedTo32Bits: Bool { basic >> 48 & 1 == 1 }
    /// BASIC[49]: dual-monitor treatment of SMIs and SMM.
    public var dualMonitor: Bool { basic >> 49 & 1 == 1 }
    /// BASIC[55]: VM entry checks the TRUE_* control MSRs instead of the plain ones.
    public var trueControls: Bool { basic >> 55 & 1 == 1 }
    /// MISC[29]: VMWRITE may write the VM-exit information fields.
    public var vmwriteAnyField: Bool { misc >> 29 & 1 == 1 }
    /// The control MSRs VM entry uses (SDM A.3-A.5: TRUE MSRs when BASIC[55] = 1).
    public var entryPinbased: UInt64 { trueControls ? truePinbased ?? pinbased : pinbased }
    public var entryProcbased: UInt64 { trueControls ? trueProcbased ?? procbased : procbased }
    public var entryExit: UInt64 { trueControls ? trueExit ?? exit : exit }
    public var entryEntry: UInt64 { trueControls ? trueEntry ?? entry : entry }
    /// Secondary control `bit` may be 1 (allowed-1 half of PROCBASED_CTLS2).
    public func allowsSecondary(_ bit: Int) -> Bool { procbased2 >> (32 + bit) & 1 == 1 }
    /// VMCS shadowing (secondary control 14) is supported.
    public var vmcsShadowing: Bool { allowsSecondary(14) }
    /// INVEPT exists: EPT (secondary 1) and EPT_VPID_CAP[20].
    public var invept: Bool { allowsSecondary(1) && eptVPIDCap >> 20 & 1 == 1 }
    /// INVVPID exists: VPID (secondary 5) and EPT_VPID_CAP[32].
    public var invvpid: Bool { allowsSecondary(5) && eptVPIDCap >> 32 & 1 == 1 }
    /// The largest physical address + 1 the VMX address checks allow.
    public var addressLimitBits: Int { addressesLimitedTo32Bits ? min(32, physicalAddressWidth) : physicalAddressWidth }

    /// A VMXON/VMCLEAR/VMPTRLD operand is 4-KByte aligned and sets no bit at or beyond the
    /// physical-address width (bit 32 and above when BASIC[48] = 1) — SDM "VMXON" Operation.
    public func isValidPageAddress(_ address: UInt64) -> Bool {
        address & 0xFFF == 0 && address >> UInt64(addressLimitBits) == 0
    }
}
