/// The 64-bit general-purpose registers, numbered as the VM-exit instruction-information field
/// numbers them (SDM Vol.3C 28.2.5, "Format of the VM-Exit Instruction-Information Field" tables:
/// 0 = RAX, 1 = RCX, ... 7 = RDI, 8-15 = R8-R15).
public enum GeneralRegister: UInt64, Codable, Sendable, Hashable, CaseIterable {
    case rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15

    /// `rax`, ... `r15` as vectors spell them.
    public var name: String { String(describing: self) }

    /// The register numbered one higher (R15 wraps to RAX): a mutant's wrong register.
    var next: GeneralRegister { GeneralRegister(rawValue: (rawValue + 1) % 16)! }

    static let byName: [String: GeneralRegister] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })
}
