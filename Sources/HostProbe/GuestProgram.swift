import HostModel

/// A hand-assembled test guest: its machine code, the CPU mode it starts in, and how to tell it
/// really ran. Each instruction's encoding is written out beside its bytes (Intel SDM vol. 2
/// opcode tables), so the guests need no assembler and can be checked by reading.
public struct GuestProgram: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable {
        /// 16-bit real mode, CS base 0: what a CPU resets into.
        case real
        /// 64-bit long mode with our own 4-level page tables (see `Layout`).
        case long64
    }

    /// Where things live in the guest (one definition, shared with the Emulator's interpreter).
    public typealias Layout = GuestMemoryLayout

    /// The port test guests report results on; latency guests use `userspaceExitPort` and `batchMarkerPort`.
    public static let resultPort = 0x10
    public static let userspaceExitPort = 0x11
    public static let batchMarkerPort = 0x12

    public var name: String
    public var mode: Mode
    public var code: [UInt8]
    /// The value the guest reports with OUTs to `resultPort` (concatenated little-endian by size).
    public var expected: UInt64?
    /// Long mode: RAX after HLT must equal `expected`, the result must sit at `resultPhysical`
    /// and guest-physical `aliasVirtual` must still be zero (proof that paging translated).
    public var checksPaging: Bool

    public init(name: String, mode: Mode, code: [UInt8], expected: UInt64?, checksPaging: Bool) {
        self.name = name
        self.mode = mode
        self.code = code
        self.expected = expected
        self.checksPaging = checksPaging
    }

    /// Real mode: computes 0x1234 + 0x0101 and reports it on port 0x10 (expected 0x1335).
    public static let realMode = GuestProgram(
        name: "real", mode: .real,
        code: [
            0xB8, 0x34, 0x12, //       mov ax, 0x1234        (B8+rw iw)
            0x05, 0x01, 0x01, //       add ax, 0x0101        (05 iw)
            0xE7, 0x10, //             out 0x10, ax          (E7 ib; 16-bit operand size in real mode)
            0xF4, //                   hlt
        ],
        expected: 0x1335, checksPaging: false)

    /// The two factors of the long-mode product. Their 64-bit product (low half) cannot be formed
    /// by 16- or 32-bit code running these bytes: without REX.W, 0x48 decodes as `dec eax`.
    public static let factors: (UInt64, UInt64) = (0x1234_5678_9ABC_DEF1, 0x0FED_CBA9_8765_4321)

    /// 64-bit long mode with paging: multiplies two 64-bit numbers, stores the product through the
    /// alias VA 0x1F0000 (mapped to physical 0x9000), reads it back through the identity VA 0x9000,
    /// reports it as two 32-bit OUTs on port 0x10, and halts with it in RAX.
    public static let long64 = GuestProgram(
        name: "long64", mode: .long64,
        code: [
            0x48, 0xB8, 0xF1, 0xDE, 0xBC, 0x9A, 0x78, 0x56, 0x34, 0x12, // mov rax, 0x123456789ABCDEF1 (REX.W B8+r io)
            0x48, 0xB9, 0x21, 0x43, 0x65, 0x87, 0xA9, 0xCB, 0xED, 0x0F, // mov rcx, 0x0FEDCBA987654321 (REX.W B8+r io)
            0x48, 0x0F, 0xAF, 0xC1, //                                  imul rax, rcx        (REX.W 0F AF /r, ModRM 11 000 001)
            0xBF, 0x00, 0x00, 0x1F, 0x00, //                            mov edi, 0x1F0000    (B8+r id; zero-extends into rdi)
            0x48, 0x89, 0x07, //                                        mov [rdi], rax       (REX.W 89 /r, ModRM 00 000 111)
            0xBE, 0x00, 0x90, 0x00, 0x00, //                            mov esi, 0x9000      (B8+r id)
            0x48, 0x8B, 0x06, //                                        mov rax, [rsi]       (REX.W 8B /r, ModRM 00 000 110)
            0x48, 0x89, 0xC3, //                                        mov rbx, rax         (REX.W 89 /r, ModRM 11 000 011)
            0xE7, 0x10, //                                              out 0x10, eax        (low half)
            0x48, 0xC1, 0xE8, 0x20, //                                  shr rax, 32          (REX.W C1 /5 ib)
            0xE7, 0x10, //                                              out 0x10, eax        (high half)
            0x48, 0x89, 0xD8, //                                        mov rax, rbx         (REX.W 89 /r, ModRM 11 011 000)
            0xF4, //                                                    hlt
        ],
        expected: factors.0 &* factors.1, checksPaging: true)

    /// Long mode, for timing: `outs` OUTs to port 0x11 (each a round trip to userspace), then
    /// `batches` batches of `cpuidsPerBatch` CPUIDs (each an exit the kernel handles), every batch
    /// bracketed by an OUT to port 0x12 so userspace can time it; then HLT.
    public static func latency(outs: UInt32, batches: UInt32, cpuidsPerBatch: UInt32) -> GuestProgram {
        GuestProgram(
            name: "latency", mode: .long64,
            code: [0xB9] + le32(outs) //             mov ecx, outs        (B8+r id)
                + [0xE6, 0x11, //                    1: out 0x11, al      (E6 ib)
                   0xFF, 0xC9, //                    dec ecx              (FF /1, ModRM 11 001 001)
                   0x75, 0xFA] //                    jnz 1b               (75 cb, -6)
                + [0xBE] + le32(batches) //          mov esi, batches     (B8+r id)
                + [0xE6, 0x12] //                    2: out 0x12, al      (batch marker)
                + [0xBF] + le32(cpuidsPerBatch) //   mov edi, cpuidsPerBatch
                + [0x31, 0xC0, //                    3: xor eax, eax      (31 /r; leaf 0)
                   0x0F, 0xA2, //                    cpuid                (0F A2)
                   0xFF, 0xCF, //                    dec edi              (FF /1, ModRM 11 001 111)
                   0x75, 0xF8, //                    jnz 3b               (-8)
                   0xFF, 0xCE, //                    dec esi              (FF /1, ModRM 11 001 110)
                   0x75, 0xED, //                    jnz 2b               (-19)
                   0xE6, 0x12, //                    out 0x12, al         (closes the last batch)
                   0xF4], //                         hlt
            expected: nil, checksPaging: false)
    }

    /// A guest that never exits (`jmp $`): only the time limit can stop it.
    public static func spin(_ mode: Mode) -> GuestProgram {
        GuestProgram(name: "spin-\(mode.rawValue)", mode: mode,
                     code: [0xEB, 0xFE], //          jmp $                (EB cb, -2)
                     expected: nil, checksPaging: false)
    }

    private static func le32(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
