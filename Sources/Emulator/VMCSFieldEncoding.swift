/// VMCS component encodings (SDM Vol.3 Appendix B; Linux arch/x86/include/asm/vmx.h
/// `enum vmcs_field`) and the encoding format of SDM 25.11.2 ("VMREAD, VMWRITE, and Encodings of
/// VMCS Fields"): bit 0 access type (1 = high half of a 64-bit field), 9:1 index, 11:10 type
/// (1 = VM-exit information, read-only), bit 12 reserved, 14:13 width (0 16-bit, 1 64-bit,
/// 2 32-bit, 3 natural), 31:15 reserved.
public enum VMCSFieldEncoding {
    public static let vpid: UInt32 = 0x0000
    public static let eptpIndex: UInt32 = 0x0004
    public static let vmfuncControls: UInt32 = 0x2018
    public static let eptPointer: UInt32 = 0x201A
    public static let eptpListAddress: UInt32 = 0x2024
    public static let vmcsLinkPointer: UInt32 = 0x2800
    public static let pinbasedControls: UInt32 = 0x4000
    public static let procbasedControls: UInt32 = 0x4002
    public static let cr3TargetCount: UInt32 = 0x400A
    public static let exitControls: UInt32 = 0x400C
    public static let entryControls: UInt32 = 0x4012
    public static let secondaryControls: UInt32 = 0x401E
    public static let instructionError: UInt32 = 0x4400
    public static let exitReason: UInt32 = 0x4402
    public static let guestInterruptibility: UInt32 = 0x4824
    public static let guestActivityState: UInt32 = 0x4826
    public static let exitQualification: UInt32 = 0x6400
    public static let guestCR0: UInt32 = 0x6800
    public static let guestCR4: UInt32 = 0x6804
    public static let guestRFLAGS: UInt32 = 0x6820
    public static let hostCR0: UInt32 = 0x6C00
    public static let hostCR3: UInt32 = 0x6C02
    public static let hostCR4: UInt32 = 0x6C04
    public static let hostRIP: UInt32 = 0x6C16
    public static let hostESSelector: UInt32 = 0x0C00
    public static let hostCSSelector: UInt32 = 0x0C02
    public static let hostSSSelector: UInt32 = 0x0C04
    public static let hostTRSelector: UInt32 = 0x0C0C
    public static let hostSelectors: [SegmentRegister: UInt32] = [
        .es: 0x0C00, .cs: 0x0C02, .ss: 0x0C04, .ds: 0x0C06, .fs: 0x0C08, .gs: 0x0C0A, .tr: 0x0C0C,
    ]
    // MSR areas (SDM 25.7.2, 25.8.2): counts and addresses.
    public static let exitMSRStoreAddress: UInt32 = 0x2006
    public static let exitMSRLoadAddress: UInt32 = 0x2008
    public static let entryMSRLoadAddress: UInt32 = 0x200A
    public static let exitMSRStoreCount: UInt32 = 0x400E
    public static let exitMSRLoadCount: UInt32 = 0x4010
    public static let entryMSRLoadCount: UInt32 = 0x4014
    // Event injection (SDM 25.8.3): interruption information, exception error code, instruction length.
    public static let entryInterruptionInfo: UInt32 = 0x4016
    public static let entryExceptionErrorCode: UInt32 = 0x4018
    public static let entryInstructionLength: UInt32 = 0x401A
    // Exit information (SDM 25.9).
    public static let exitInterruptionInfo: UInt32 = 0x4404
    public static let exitInstructionLength: UInt32 = 0x440C
    public static let exitInstructionInfo: UInt32 = 0x440E
    // Guest state (SDM 25.4).
    public static let guestPAT: UInt32 = 0x2804
    public static let guestEFER: UInt32 = 0x2806
    public static let guestPerfGlobalCtrl: UInt32 = 0x2808
    /// Guest PDPTE0-3 (0x280A, 0x280C, 0x280E, 0x2810), used with EPT (SDM 27.3.1.6).
    public static let guestPDPTEs: [UInt32] = [0x280A, 0x280C, 0x280E, 0x2810]
    public static let guestSysenterCS: UInt32 = 0x482A
    public static let guestCR3: UInt32 = 0x6802
    public static let guestDR7: UInt32 = 0x681A
    public static let guestRSP: UInt32 = 0x681C
    public static let guestRIP: UInt32 = 0x681E
    public static let guestSysenterESP: UInt32 = 0x6824
    public static let guestSysenterEIP: UInt32 = 0x6826
    // Host state (SDM 25.5).
    public static let hostPAT: UInt32 = 0x2C00
    public static let hostEFER: UInt32 = 0x2C02
    public static let hostPerfGlobalCtrl: UInt32 = 0x2C04
    public static let hostSysenterCS: UInt32 = 0x4C00
    public static let hostFSBase: UInt32 = 0x6C06
    public static let hostGSBase: UInt32 = 0x6C08
    public static let hostTRBase: UInt32 = 0x6C0A
    public static let hostSysenterESP: UInt32 = 0x6C10
    public static let hostSysenterEIP: UInt32 = 0x6C12
    public static let hostRSP: UInt32 = 0x6C14

    /// The full encodings of every field the SDM's Appendix B lists. The model supports all of
    /// them; IA32_VMX_VMCS_ENUM is not used to narrow the set because real CPUs report a smaller
    /// highest index than the fields they implement (Skylake-SP: 0x2E, yet it implements the
    /// TSC multiplier, index 25).
    static let known: Set<UInt32> = {
        var fields: Set<UInt32> = [0x0000, 0x0002, 0x0004, 0x0006, 0x0008]
        fields.formUnion(stride(from: 0x0800, through: 0x0812, by: 2))            // 16-bit guest selectors, interrupt status, PML index
        fields.formUnion(stride(from: 0x0C00, through: 0x0C0C, by: 2))            // 16-bit host selectors
        fields.formUnion(stride(from: 0x2000, through: 0x2036, by: 2))            // 64-bit controls
        fields.insert(0x2400)                                                     // guest-physical address
        fields.formUnion(stride(from: 0x2800, through: 0x2818, by: 2))            // 64-bit guest state
        fields.formUnion(stride(from: 0x2C00, through: 0x2C06, by: 2))            // 64-bit host state
        fields.formUnion(stride(from: 0x4000, through: 0x4022, by: 2))            // 32-bit controls
        fields.formUnion(stride(from: 0x4400, through: 0x440E, by: 2))            // 32-bit exit information
        fields.formUnion(stride(from: 0x4800, through: 0x482A, by: 2))            // 32-bit guest state
        fields.insert(0x482E)                                                     // preemption-timer value
        fields.insert(0x4C00)                                                     // host SYSENTER_CS
        fields.formUnion(stride(from: 0x6000, through: 0x600E, by: 2))            // natural controls
        fields.formUnion(stride(from: 0x6400, through: 0x640A, by: 2))            // natural exit information
        fields.formUnion(stride(from: 0x6800, through: 0x682C, by: 2))            // natural guest state
        fields.formUnion(stride(from: 0x6C00, through: 0x6C1C, by: 2))            // natural host state
        return Set(fields.map { UInt32($0) })
    }()

    /// Width in bits of the field an encoding names (bits 14:13).
    public static func width(_ encoding: UInt32) -> Int {
        switch encoding >> 13 & 3 {
        case 0: 16
        case 1: 64
        case 2: 32
        default: 64
        }
    }

    /// Type 1 (bits 11:10): a VM-exit information field.
    public static func isExitInformation(_ encoding: UInt32) -> Bool { encoding >> 10 & 3 == 1 }

    /// "High" access (bit 0) to a 64-bit field.
    public static func isHighAccess(_ encoding: UInt32) -> Bool { encoding & 1 == 1 }

    /// The encoding names a field this processor supports: bits 63:15 and 12 clear, the high
    /// access form only for 64-bit fields, and the field listed in Appendix B.
    public static func isSupported(_ encoding: UInt64) -> Bool {
        guard encoding & ~UInt64(0x6FFF) == 0 else { return false }
        let enc = UInt32(encoding)
        if isHighAccess(enc) && enc >> 13 & 3 != 1 { return false }
        return known.contains(enc & ~1)
    }
}
