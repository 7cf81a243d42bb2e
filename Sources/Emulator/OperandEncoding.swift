/// How an instruction's operands are encoded (ModRM, SIB, displacement, segment override,
/// address-size prefix): what a VM exit reports about them in the exit qualification and the
/// VM-exit instruction-information field (SDM Vol.3C 28.2.1, 28.2.5). The model does not compute
/// the operand's address from it: `Operands.address` is the resolved address, this is its form.
public struct OperandEncoding: Codable, Sendable, Hashable {
    /// The segment of the memory operand (ES-GS; DS unless overridden, or SS with base RSP/RBP).
    public var segment: SegmentRegister
    /// Base and index registers (nil: none); `scale` is 1, 2, 4 or 8.
    public var base: GeneralRegister?
    public var index: GeneralRegister?
    public var scale: UInt64
    /// The displacement, sign-extended to 64 bits (0 when the encoding has none).
    public var displacement: UInt64
    /// 16, 32 or 64; nil: the mode's default (64 in 64-bit mode, else 32 or 16 by CS.D/B).
    public var addressSize: UInt64?
    /// VMREAD/VMWRITE register form: the r/m register (Reg1).
    public var reg1: GeneralRegister
    /// VMREAD/VMWRITE: the register holding the field encoding; INVEPT/INVVPID: the register
    /// holding the type (Reg2).
    public var reg2: GeneralRegister

    public init(segment: SegmentRegister = .ds, base: GeneralRegister? = nil, index: GeneralRegister? = nil,
                scale: UInt64 = 1, displacement: UInt64 = 0, addressSize: UInt64? = nil,
                reg1: GeneralRegister = .rax, reg2: GeneralRegister = .rax) {
        self.segment = segment
        self.base = base
        self.index = index
        self.scale = scale
        self.displacement = displacement
        self.addressSize = addressSize
        self.reg1 = reg1
        self.reg2 = reg2
    }

    /// The segment registers a memory operand can use (field bits 17:15 = 0-5).
    public static let dataSegments: [SegmentRegister] = [.es, .cs, .ss, .ds, .fs, .gs]

    /// Which of the SDM's instruction-information layouts a VM exit writes, by exit reason; nil
    /// for exits that have none in the model's scope.
    public enum Layout: Sendable {
        /// VMCLEAR, VMPTRLD, VMPTRST, VMXON: memory operand only, bit 10 cleared, bits 31:28 undefined.
        case region
        /// VMREAD, VMWRITE: bit 10 Mem/Reg, Reg1 in 6:3, Reg2 in 31:28.
        case readWrite
        /// INVEPT, INVVPID: memory operand, Reg2 (the type register) in 31:28.
        case invalidation

        public init?(_ reason: VMXExitReason) {
            if [VMXExitReason.vmclear, .vmptrld, .vmptrst, .vmxon].contains(reason) {
                self = .region
            } else if [VMXExitReason.vmread, .vmwrite].contains(reason) {
                self = .readWrite
            } else if [VMXExitReason.invept, .invvpid].contains(reason) {
                self = .invalidation
            } else {
                return nil
            }
        }
    }

    /// The address size in effect: the explicit one, else the mode's default.
    func effectiveAddressSize(_ s: MachineState) -> UInt64 {
        addressSize ?? (s.longMode64 ? 64 : s.segment(.cs).db ? 32 : 16)
    }

    /// The VM-exit instruction-information field (SDM 28.2.5: Table "... Used for VMCLEAR,
    /// VMPTRLD, VMPTRST, VMXON, XRSTORS, and XSAVES", "... Used for VMREAD and VMWRITE", "... Used
    /// for INVEPT, INVPCID, and INVVPID"; 27-13, 27-14 and 27-9 in the 2016 edition). Undefined
    /// bits are written as 0; vectors check the defined parts only (`info.*` keys).
    func information(_ layout: Layout, registerForm: Bool, _ s: MachineState) -> UInt64 {
        var value: UInt64 = 0
        if registerForm && layout == .readWrite {
            value = reg1.rawValue << 3 | 1 << 10
        } else {
            let scaleCode: UInt64 = [1: 0, 2: 1, 4: 2, 8: 3][scale] ?? 0
            let sizeCode: UInt64 = [16: 0, 32: 1, 64: 2][effectiveAddressSize(s)] ?? 0
            value = (index == nil ? 0 : scaleCode) | sizeCode << 7 | UInt64(segment.rawValue) << 15
            value |= index.map { $0.rawValue << 18 } ?? 1 << 22
            value |= base.map { $0.rawValue << 23 } ?? 1 << 27
        }
        if layout != .region { value |= reg2.rawValue << 28 }
        return value
    }

    /// The exit qualification of these exits (SDM 28.2.1): the displacement, sign-extended; zero
    /// for a register operand, which has none.
    func qualification(registerForm: Bool) -> UInt64 { registerForm ? 0 : displacement }
}
