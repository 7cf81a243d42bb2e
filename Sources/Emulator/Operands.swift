/// The operands of one instruction execution. Memory operands are given by their physical
/// address (the model identity-maps linear to physical); a fault the operand access would
/// raise (segment limit, non-canonical, not present) is stated by `memoryFault`.
public struct Operands: Codable, Sendable, Hashable {
    /// The m64 operand was encoded as a register (ModRM.mod = 11b), which these opcodes forbid.
    public var registerForm: Bool
    /// m64 of VMXON/VMCLEAR/VMPTRLD (the region address) and VMPTRST (the destination).
    public var address: UInt64
    /// The fault accessing the memory operand raises, if any.
    public var memoryFault: Fault?
    /// VMREAD/VMWRITE field encoding register.
    public var encoding: UInt64
    /// VMWRITE source value.
    public var value: UInt64
    /// INVEPT/INVVPID type register.
    public var type: UInt64
    /// INVEPT/INVVPID 128-bit descriptor: bits 63:0 and 127:64.
    public var descriptorLow: UInt64
    public var descriptorHigh: UInt64
    /// VMFUNC EAX/ECX; INVLPGA ECX (ASID).
    public var eax: UInt64
    public var ecx: UInt64
    /// rAX of VMRUN/VMLOAD/VMSAVE/INVLPGA/SKINIT (address-size masked).
    public var rax: UInt64
    /// How the operands are encoded, as a VM exit reports it (SDM 28.2.1, 28.2.5).
    public var form: OperandEncoding

    public init(registerForm: Bool = false, address: UInt64 = 0, memoryFault: Fault? = nil, encoding: UInt64 = 0,
                value: UInt64 = 0, type: UInt64 = 0, descriptorLow: UInt64 = 0, descriptorHigh: UInt64 = 0,
                eax: UInt64 = 0, ecx: UInt64 = 0, rax: UInt64 = 0, form: OperandEncoding = OperandEncoding()) {
        self.registerForm = registerForm
        self.address = address
        self.memoryFault = memoryFault
        self.encoding = encoding
        self.value = value
        self.type = type
        self.descriptorLow = descriptorLow
        self.descriptorHigh = descriptorHigh
        self.eax = eax
        self.ecx = ecx
        self.rax = rax
        self.form = form
    }
}
