import HostModel

/// An interpreter for the x86 guest code the differential run uses: real mode and 64-bit long
/// mode at CPL0, the integer subset test programs need (MOV, ADD, SUB, AND, OR, XOR, CMP, INC,
/// DEC, SHL, SHR, IMUL, LEA, PUSH, POP, JMP, Jcc, CALL, RET) and the system instructions of the
/// Popek-Goldberg table. It predicts what KVM reports: the exits a guest causes (I/O, HLT; any
/// fault, with no IDT set up, is a triple fault: shutdown) and the final state. Semantics follow
/// the SDM Vol.2 operation sections named at each instruction.
public struct X86Interpreter: Sendable {
    public var state: X86State
    public private(set) var exits: [GuestExit] = []
    /// RFLAGS bits whose current value the SDM leaves undefined (set by the last instruction that
    /// wrote them, e.g. AF after a logical op, SF/ZF/AF/PF after IMUL): CPUs differ there.
    public private(set) var undefinedFlags: UInt64 = 0
    /// An instruction this interpreter does not model, with its address; the run stops there.
    public private(set) var unsupported: String?

    public init(state: X86State) { self.state = state }

    /// A fault, with its error code where the vector has one (SDM Vol.3A 7.3, Table 7-1). In long
    /// mode it is delivered through the IDT; when that delivery fails too (no IDT, a gate not
    /// present: the test programs give no #NP, #DF handlers) it ends in a triple fault, which KVM
    /// reports as KVM_EXIT_SHUTDOWN. Real-mode faults go straight to shutdown (the programs have
    /// no IVT entries for exceptions).
    struct Fault: Error {
        var vector: Int
        var code: UInt64? = nil
    }
    struct Unsupported: Error { var what: String }

    /// Runs until HLT, a triple fault, an unsupported instruction, or `limit` instructions.
    public mutating func run(limit: Int = 10_000) {
        for _ in 0..<limit {
            do {
                if try step() { return }
            } catch let fault as Fault {
                state.rip = instructionStart //           faults report the faulting instruction (SDM Vol.3A 7.5)
                do {
                    guard long else { throw fault }
                    try deliver(fault.vector, errorCode: fault.code ?? ([8, 10, 11, 12, 13, 14, 17].contains(fault.vector) ? 0 : nil),
                                software: false)
                } catch let error as Unsupported {
                    unsupported = error.what
                    return
                } catch {
                    exits.append(GuestExit(.shutdown, detail: "triple fault after vector \(fault.vector)"))
                    return
                }
            } catch let error as Unsupported {
                unsupported = error.what
                return
            } catch {
                return
            }
        }
        unsupported = "no HLT within \(limit) instructions"
    }

    // MARK: decoding

    private var long: Bool { state.mode == .long64 }
    private var instructionStart: UInt64 = 0
    private var rex: UInt8 = 0
    private var operandOverride = false
    private var segmentOverride: Int?

    private var operandSize: Int {
        if long { return rex & 8 != 0 ? 8 : operandOverride ? 2 : 4 }
        return operandOverride ? 4 : 2
    }

    private func mask(_ size: Int) -> UInt64 { size == 8 ? ~0 : (1 << UInt64(size * 8)) - 1 }

    /// Linear address of the next code byte: CS base + IP (real mode) or RIP.
    private var codeAddress: UInt64 { long ? state.rip : state.segmentBase[1] &+ (state.rip & 0xFFFF) }

    private mutating func fetch8() throws -> UInt8 {
        let b = try read(codeAddress, 1)
        state.rip = long ? state.rip &+ 1 : (state.rip &+ 1) & 0xFFFF
        return UInt8(b)
    }

    private mutating func fetch(_ size: Int) throws -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<size { v |= UInt64(try fetch8()) << UInt64(8 * i) }
        return v
    }

    private mutating func fetchSigned(_ size: Int) throws -> UInt64 {
        let v = try fetch(size)
        let shift = UInt64(64 - 8 * size)
        return UInt64(bitPattern: Int64(bitPattern: v << shift) >> Int64(shift))
    }

    // MARK: memory

    /// SDM Vol.3A 4.5: 4-level paging with 4 KiB pages, the only kind GuestRunner builds. At CPL3
    /// every level must allow user access (U/S) and, for a write, writing (R/W); `supervisor`
    /// marks the processor's own accesses (descriptor tables), which are checked as CPL0's.
    private func physical(_ linear: UInt64, write: Bool = false, supervisor: Bool = false) throws -> Int {
        var address = linear
        if long {
            let user = state.cpl == 3 && !supervisor
            var table = state.cr3 & 0x000F_FFFF_FFFF_F000
            for level in 0..<4 {
                let slot = Int(table + ((linear >> UInt64(39 - 9 * level)) & 0x1FF) * 8)
                guard slot + 8 <= state.memory.count else { throw Fault(vector: 14) }
                let entry = (0..<8).reduce(UInt64(0)) { $0 | UInt64(state.memory[slot + $1]) << UInt64(8 * $1) }
                guard entry & 1 == 1 else { throw Fault(vector: 14) }
                if user && (entry & 4 == 0 || (write && entry & 2 == 0)) { throw Fault(vector: 14) }
                if level > 0 && level < 3 && entry & 0x80 != 0 { throw Unsupported(what: "large pages") }
                table = entry & 0x000F_FFFF_FFFF_F000
            }
            address = table | (linear & 0xFFF)
        }
        guard address < UInt64(state.memory.count) else { throw Fault(vector: 14) }
        return Int(address)
    }

    func read(_ linear: UInt64, _ size: Int, supervisor: Bool = false) throws -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<size { v |= UInt64(state.memory[try physical(linear &+ UInt64(i), supervisor: supervisor)]) << UInt64(8 * i) }
        return v
    }

    private mutating func write(_ linear: UInt64, _ size: Int, _ value: UInt64, supervisor: Bool = false) throws {
        for i in 0..<size {
            state.memory[try physical(linear &+ UInt64(i), write: true, supervisor: supervisor)] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i))
        }
    }

    // MARK: privilege (SDM Vol.3A 5.9, Vol.1 19.5 for IOPL)

    /// Privileged instructions raise #GP(0) at CPL>0.
    private func requireCPL0() throws { if state.cpl != 0 { throw Fault(vector: 13) } }

    /// CLI, STI, IN, OUT: #GP(0) when CPL > IOPL (no TSS I/O bitmap is modelled).
    private func requireIOPL() throws { if state.cpl > state.iopl { throw Fault(vector: 13) } }

    /// SGDT, SIDT, SLDT, SMSW, STR: #GP(0) at CPL>0 when CR4.UMIP (bit 11) is set.
    private func requireUMIPAllows() throws { if state.cr4 & 0x800 != 0 && state.cpl > 0 { throw Fault(vector: 13) } }

    /// The GDT descriptor for `selector` (LDT and out-of-limit selectors: nil).
    private func descriptor(_ selector: UInt16) throws -> UInt64? {
        guard selector & 4 == 0, selector >> 3 != 0, UInt64(selector & ~7) + 7 <= UInt64(state.gdtrLimit) else { return nil }
        return try read(state.gdtrBase &+ UInt64(selector & ~7), 8, supervisor: true)
    }

    /// Loading a segment register sets the descriptor's accessed bit (SDM Vol.3A 3.4.5.1).
    private mutating func markAccessed(_ selector: UInt16) throws {
        let address = state.gdtrBase &+ UInt64(selector & ~7) &+ 5
        try write(address, 1, try read(address, 1, supervisor: true) | 1, supervisor: true)
    }

    // MARK: registers

    private func reg(_ n: Int, _ size: Int) -> UInt64 { state.gpr[n] & mask(size) }

    /// SDM Vol.1 3.4.1.1: a 32-bit result zero-extends into the 64-bit register; 8/16-bit keep the rest.
    private mutating func setReg(_ n: Int, _ size: Int, _ value: UInt64) {
        switch size {
        case 8: state.gpr[n] = value
        case 4 where long: state.gpr[n] = value & 0xFFFF_FFFF
        default: state.gpr[n] = (state.gpr[n] & ~mask(size)) | (value & mask(size))
        }
    }

    /// The r/m operand: a register number or a linear address.
    enum Operand { case register(Int), memory(UInt64) }

    private mutating func modrm() throws -> (mod: Int, reg: Int, rm: Operand) {
        let b = try fetch8()
        let mod = Int(b >> 6), regField = Int(b >> 3 & 7) | (rex & 4 != 0 ? 8 : 0), rmField = Int(b & 7)
        if mod == 3 { return (mod, regField, .register(rmField | (rex & 1 != 0 ? 8 : 0))) }
        if long {
            var base: UInt64 = 0
            if rmField == 4 {
                let sib = try fetch8()
                let index = Int(sib >> 3 & 7) | (rex & 2 != 0 ? 8 : 0), scale = UInt64(1) << UInt64(sib >> 6)
                let baseField = Int(sib & 7) | (rex & 1 != 0 ? 8 : 0)
                if index != 4 { base = state.gpr[index] &* scale }
                if sib & 7 == 5 && mod == 0 { base = base &+ (try fetchSigned(4)) } else { base = base &+ state.gpr[baseField] }
            } else if rmField == 5 && mod == 0 {
                throw Unsupported(what: "RIP-relative addressing")
            } else {
                base = state.gpr[rmField | (rex & 1 != 0 ? 8 : 0)]
            }
            if mod == 1 { base = base &+ (try fetchSigned(1)) }
            if mod == 2 { base = base &+ (try fetchSigned(4)) }
            return (mod, regField, .memory(base))
        }
        // 16-bit addressing (SDM Vol.2 Table 2-1).
        let g = state.gpr
        let bx = g[3] & 0xFFFF, bp = g[5] & 0xFFFF, si = g[6] & 0xFFFF, di = g[7] & 0xFFFF
        var ea: UInt64
        var stack = false
        switch rmField {
        case 0: ea = bx + si
        case 1: ea = bx + di
        case 2: ea = bp + si; stack = true
        case 3: ea = bp + di; stack = true
        case 4: ea = si
        case 5: ea = di
        case 6: if mod == 0 { ea = try fetch(2) } else { ea = bp; stack = true }
        default: ea = bx
        }
        if mod == 1 { ea = ea &+ (try fetchSigned(1)) }
        if mod == 2 { ea = ea &+ (try fetch(2)) }
        let seg = segmentOverride ?? (stack ? 2 : 3)
        return (mod, regField, .memory(state.segmentBase[seg] &+ (ea & 0xFFFF)))
    }

    private func get(_ op: Operand, _ size: Int) throws -> UInt64 {
        switch op {
        case .register(let n): reg(n, size)
        case .memory(let a): try read(a, size)
        }
    }

    private mutating func set(_ op: Operand, _ size: Int, _ value: UInt64) throws {
        switch op {
        case .register(let n): setReg(n, size, value)
        case .memory(let a): try write(a, size, value)
        }
    }

    // MARK: flags (SDM Vol.1 3.4.3.1)

    static let cf: UInt64 = 1, pf: UInt64 = 4, af: UInt64 = 0x10, zf: UInt64 = 0x40, sf: UInt64 = 0x80
    static let tf: UInt64 = 0x100, intf: UInt64 = 0x200, df: UInt64 = 0x400, of: UInt64 = 0x800
    static let arithmetic: UInt64 = cf | pf | af | zf | sf | of

    private mutating func setResultFlags(_ r: UInt64, _ size: Int, carry: Bool, overflow: Bool, adjust: Bool) {
        let r = r & mask(size)
        var f = state.rflags & ~X86Interpreter.arithmetic
        if carry { f |= X86Interpreter.cf }
        if (r & 0xFF).nonzeroBitCount % 2 == 0 { f |= X86Interpreter.pf }
        if adjust { f |= X86Interpreter.af }
        if r == 0 { f |= X86Interpreter.zf }
        if r >> UInt64(size * 8 - 1) & 1 == 1 { f |= X86Interpreter.sf }
        if overflow { f |= X86Interpreter.of }
        state.rflags = f
        undefinedFlags &= ~X86Interpreter.arithmetic
    }

    /// ADD, OR, ADC-free ALU group in opcode order /0../7 (ADD OR ADC SBB AND SUB XOR CMP); ADC and
    /// SBB are not modelled. Returns nil for CMP (no write).
    private mutating func alu(_ op: Int, _ a: UInt64, _ b: UInt64, _ size: Int) throws -> UInt64? {
        let m = mask(size), sign = UInt64(1) << UInt64(size * 8 - 1)
        let a = a & m, b = b & m
        switch op {
        case 0:
            let r = (a &+ b) & m
            setResultFlags(r, size, carry: r < a, overflow: (~(a ^ b) & (a ^ r) & sign) != 0, adjust: (a ^ b ^ r) & 0x10 != 0)
            return r
        case 5, 7:
            let r = (a &- b) & m
            setResultFlags(r, size, carry: a < b, overflow: ((a ^ b) & (a ^ r) & sign) != 0, adjust: (a ^ b ^ r) & 0x10 != 0)
            return op == 7 ? nil : r
        case 1, 4, 6:
            let r = op == 1 ? a | b : op == 4 ? a & b : a ^ b
            setResultFlags(r, size, carry: false, overflow: false, adjust: false)
            undefinedFlags |= X86Interpreter.af //       SDM Vol.2 AND/OR/XOR: "The state of the AF flag is undefined."
            return r
        default:
            throw Unsupported(what: "ADC/SBB")
        }
    }

    private func condition(_ cc: UInt8) -> Bool {
        let f = state.rflags
        let c = f & X86Interpreter.cf != 0, z = f & X86Interpreter.zf != 0
        let s = f & X86Interpreter.sf != 0, o = f & X86Interpreter.of != 0, p = f & X86Interpreter.pf != 0
        let r: Bool
        switch cc >> 1 {
        case 0: r = o
        case 1: r = c
        case 2: r = z
        case 3: r = c || z
        case 4: r = s
        case 5: r = p
        case 6: r = s != o
        default: r = z || s != o
        }
        return cc & 1 == 0 ? r : !r
    }

    // MARK: stack

    private var stackSize: Int { long ? 8 : 2 }

    private mutating func push(_ value: UInt64, _ size: Int) throws {
        let sp = (reg(4, long ? 8 : 2) &- UInt64(size)) & mask(long ? 8 : 2)
        setReg(4, long ? 8 : 2, sp)
        try write(state.segmentBase[2] &+ sp, size, value)
    }

    private mutating func pop(_ size: Int) throws -> UInt64 {
        let sp = reg(4, long ? 8 : 2)
        let v = try read(state.segmentBase[2] &+ sp, size)
        setReg(4, long ? 8 : 2, sp &+ UInt64(size))
        return v
    }

    private mutating func jump(_ target: UInt64) {
        state.rip = long ? target : target & (operandSize == 4 ? 0xFFFF_FFFF : 0xFFFF)
    }

    private mutating func loadSegmentReal(_ sreg: Int, _ selector: UInt16) {
        state.segment[sreg] = selector
        state.segmentBase[sreg] = UInt64(selector) << 4
    }

    /// What the differential runner answers to every IN: each byte 0xA5 (`GuestRunner.inByte`).
    public static let inByte: UInt64 = 0xA5

    private mutating func exitIO(port: UInt64, size: Int, value: UInt64? = nil) {
        exits.append(GuestExit(.io, port: Int(port & 0xFFFF), size: size, direction: "out",
                               value: value ?? state.gpr[0] & mask(size)))
    }

    private mutating func exitIn(port: UInt64, size: Int) -> UInt64 {
        exits.append(GuestExit(.io, port: Int(port & 0xFFFF), size: size, direction: "in"))
        return (0..<size).reduce(UInt64(0)) { $0 | X86Interpreter.inByte << UInt64(8 * $1) }
    }

    /// INS/OUTS (no REP): one element between port DX and ES:rDI / DS:rSI, then rDI/rSI step by
    /// the element size, down when DF is set (SDM Vol.2 INS/INSB/INSW/INSD, OUTS).
    private mutating func stringIO(_ op: UInt8, size: Int) throws {
        try requireIOPL()
        let width = op & 1 == 0 ? 1 : min(size, 4)
        let addressSize = long ? 8 : 2
        let step = state.rflags & X86Interpreter.df != 0 ? UInt64(bitPattern: -Int64(width)) : UInt64(width)
        if op <= 0x6D {
            let di = reg(7, addressSize)
            let value = exitIn(port: state.gpr[2], size: width)
            try write(state.segmentBase[0] &+ di, width, value)
            setReg(7, addressSize, di &+ step)
        } else {
            let si = reg(6, addressSize)
            let value = try read(state.segmentBase[segmentOverride ?? 3] &+ si, width)
            exitIO(port: state.gpr[2], size: width, value: value)
            setReg(6, addressSize, si &+ step)
        }
    }

    // MARK: one instruction

    /// Executes one instruction; true when the run ends (HLT).
    mutating func step() throws -> Bool {
        rex = 0
        operandOverride = false
        segmentOverride = nil
        let start = state.rip
        instructionStart = start
        var op = try fetch8()
        while true {
            switch op {
            case 0x66: operandOverride = true
            case 0x26: segmentOverride = 0
            case 0x2E: segmentOverride = 1
            case 0x36: segmentOverride = 2
            case 0x3E: segmentOverride = 3
            case 0x40...0x4F where long: rex = op
            default: break
            }
            let isPrefix = op == 0x66 || op == 0x26 || op == 0x2E || op == 0x36 || op == 0x3E || (long && (0x40...0x4F).contains(op))
            guard isPrefix else { break }
            op = try fetch8()
        }
        let size = operandSize
        switch op {
        case 0x01, 0x09, 0x21, 0x29, 0x31, 0x39: //         ALU r/m, r
            let m = try modrm()
            if let r = try alu(Int(op >> 3), try get(m.rm, size), reg(m.reg, size), size) { try set(m.rm, size, r) }
        case 0x03, 0x0B, 0x23, 0x2B, 0x33, 0x3B: //         ALU r, r/m
            let m = try modrm()
            if let r = try alu(Int(op >> 3), reg(m.reg, size), try get(m.rm, size), size) { setReg(m.reg, size, r) }
        case 0x05, 0x0D, 0x25, 0x2D, 0x35, 0x3D: //         ALU eAX, imm
            let imm = try fetchSigned(min(size, 4))
            if let r = try alu(Int(op >> 3), reg(0, size), imm, size) { setReg(0, size, r) }
        case 0x81, 0x83: //                                  ALU r/m, imm (Group 1)
            let m = try modrm()
            let imm = try fetchSigned(op == 0x83 ? 1 : min(size, 4))
            if let r = try alu(m.reg & 7, try get(m.rm, size), imm, size) { try set(m.rm, size, r) }
        case 0x40...0x4F: //                                 INC/DEC r16 (real mode only; REX in long mode)
            let n = Int(op & 7), old = reg(n, size)
            let carry = state.rflags & X86Interpreter.cf
            let r = try alu(op < 0x48 ? 0 : 5, old, 1, size)!
            state.rflags = state.rflags & ~X86Interpreter.cf | carry
            setReg(n, size, r)
        case 0x50...0x57: try push(reg(Int(op & 7) | (rex & 1 != 0 ? 8 : 0), stackSize), stackSize)
        case 0x58...0x5F: setReg(Int(op & 7) | (rex & 1 != 0 ? 8 : 0), stackSize, try pop(stackSize))
        case 0x6A: try push(try fetchSigned(1) & mask(stackSize), stackSize)
        case 0x68: try push(try fetchSigned(min(size, 4)) & mask(stackSize), stackSize)
        case 0x70...0x7F:
            let disp = try fetchSigned(1)
            if condition(op & 0xF) { jump(state.rip &+ disp) }
        case 0x89: let m = try modrm(); try set(m.rm, size, reg(m.reg, size))
        case 0x8B: let m = try modrm(); setReg(m.reg, size, try get(m.rm, size))
        case 0x8C: //                                        MOV r/m, Sreg (SDM Vol.2 MOV)
            let m = try modrm()
            if case .register(let n) = m.rm { setReg(n, size, UInt64(state.segment[m.reg & 7])) } else { try set(m.rm, 2, UInt64(state.segment[m.reg & 7])) }
        case 0x8D: //                                        LEA
            let m = try modrm()
            guard case .memory(let a) = m.rm else { throw Fault(vector: 6) }
            setReg(m.reg, size, long ? a : a & 0xFFFF)
        case 0x8E: //                                        MOV Sreg, r/m (real mode: base = selector << 4)
            let m = try modrm()
            guard !long else { throw Unsupported(what: "MOV to Sreg in long mode") }
            let sreg = m.reg & 7
            guard sreg != 1 else { throw Fault(vector: 6) }
            loadSegmentReal(sreg, UInt16(try get(m.rm, 2)))
        case 0x90: break
        case 0x9A where !long: //                            CALL ptr16:16
            let offset = try fetch(2), selector = try fetch(2)
            try push(UInt64(state.segment[1]), 2)
            try push(state.rip, 2)
            loadSegmentReal(1, UInt16(selector))
            state.rip = offset
        case 0x9C: try push(state.rflags & 0x3C_7FD7 & mask(stackSize), stackSize) // PUSHF: VM and RF read as 0
        case 0x9D: //                                        POPF (SDM Vol.2 POPF): at CPL>0 IOPL is kept, and IF unless CPL <= IOPL
            let v = try pop(stackSize)
            var writable: UInt64 = 0x24_7FD5 & mask(stackSize)
            if state.cpl > 0 { writable &= ~0x3000 }
            if state.cpl > state.iopl { writable &= ~X86Interpreter.intf }
            state.rflags = (state.rflags & ~writable) | (v & writable) | 2
        case 0xB8...0xBF:
            let n = Int(op & 7) | (rex & 1 != 0 ? 8 : 0)
            setReg(n, size, try fetch(size))
        case 0xC1, 0xD1: //                                  SHL/SHR (Group 2 /4 /5)
            let m = try modrm()
            let count = (op == 0xD1 ? 1 : try fetch(1)) & (size == 8 ? 0x3F : 0x1F)
            let v = try get(m.rm, size)
            guard m.reg & 7 == 4 || m.reg & 7 == 5 else { throw Unsupported(what: "Group 2 /\(m.reg & 7)") }
            guard count > 0 else { break }
            let bits = UInt64(size * 8)
            let r: UInt64, carry: Bool, overflow: Bool
            if m.reg & 7 == 4 {
                r = (v << count) & mask(size)
                carry = count <= bits && (v >> (bits - count)) & 1 == 1
                overflow = ((r >> (bits - 1)) & 1 == 1) != carry
            } else {
                r = v >> count
                carry = (v >> (count - 1)) & 1 == 1
                overflow = (v >> (bits - 1)) & 1 == 1
            }
            setResultFlags(r, size, carry: carry, overflow: count == 1 ? overflow : false, adjust: false)
            // SDM Vol.2 SAL/SAR/SHL/SHR: AF undefined for a nonzero count, OF undefined unless the count is 1.
            undefinedFlags |= X86Interpreter.af | (count == 1 ? 0 : X86Interpreter.of)
            try set(m.rm, size, r)
        case 0xC3: jump(try pop(stackSize))
        case 0xC7: let m = try modrm(); try set(m.rm, size, try fetchSigned(min(size, 4)) & mask(size))
        case 0xCB where !long: //                            RETF
            let ip = try pop(2), cs = try pop(2)
            loadSegmentReal(1, UInt16(cs))
            state.rip = ip
        case 0xCD where long: //                             INT n, IA-32e mode
            try deliver(Int(try fetch(1)), errorCode: nil, software: true)
        case 0xCB where long && rex & 8 != 0: //             RETFQ
            try farReturn(loadsFlags: false)
        case 0xCD where !long: //                            INT n, real mode (SDM Vol.2 INT n: REAL-ADDRESS-MODE)
            let vector = try fetch(1)
            try push(state.rflags & 0xFFFF, 2)
            state.rflags &= ~(X86Interpreter.intf | X86Interpreter.tf | 0x4_0000)
            try push(UInt64(state.segment[1]), 2)
            try push(state.rip, 2)
            let entry = state.idtrBase &+ vector * 4 //   the IVT is where IDTR points (SDM Vol.3A 21.1.4)
            state.rip = try read(entry, 2)
            loadSegmentReal(1, UInt16(try read(entry &+ 2, 2)))
        case 0xCF where long && rex & 8 != 0: //             IRETQ (SDM Vol.2 IRET, IA-32e mode)
            try farReturn(loadsFlags: true)
        case 0xCF where !long: //                            IRET, real mode
            let ip = try pop(2), cs = try pop(2), flags = try pop(2)
            loadSegmentReal(1, UInt16(cs))
            state.rip = ip
            state.rflags = (state.rflags & ~0xFFFF) | (flags & 0x7FD5) | 2
        case 0xE6, 0xE7: //                                  OUT imm8, AL/eAX
            let port = try fetch(1)
            try requireIOPL()
            exitIO(port: port, size: op == 0xE6 ? 1 : min(size, 4))
        case 0xE4, 0xE5: //                                  IN AL/eAX, imm8
            let port = try fetch(1)
            try requireIOPL()
            let width = op == 0xE4 ? 1 : min(size, 4)
            setReg(0, width, exitIn(port: port, size: width))
        case 0xEC, 0xED:
            try requireIOPL()
            let width = op == 0xEC ? 1 : min(size, 4)
            setReg(0, width, exitIn(port: state.gpr[2], size: width))
        case 0x6C...0x6F: try stringIO(op, size: size)
        case 0xEE, 0xEF: try requireIOPL(); exitIO(port: state.gpr[2], size: op == 0xEE ? 1 : min(size, 4))
        case 0xE8:
            let disp = try fetchSigned(long ? 4 : min(size, 4))
            try push(state.rip, stackSize)
            jump(state.rip &+ disp)
        case 0xE9: let disp = try fetchSigned(long ? 4 : min(size, 4)); jump(state.rip &+ disp)
        case 0xEA where !long: //                            JMP ptr16:16
            let offset = try fetch(2), selector = try fetch(2)
            loadSegmentReal(1, UInt16(selector))
            state.rip = offset
        case 0xEB: let disp = try fetchSigned(1); jump(state.rip &+ disp)
        case 0xF4:
            try requireCPL0()
            exits.append(GuestExit(.hlt))
            return true
        case 0xFA: try requireIOPL(); state.rflags &= ~X86Interpreter.intf
        case 0xFB: try requireIOPL(); state.rflags |= X86Interpreter.intf
        case 0xFC: state.rflags &= ~X86Interpreter.df
        case 0xFD: state.rflags |= X86Interpreter.df
        case 0xFF: //                                        INC/DEC r/m (Group 5 /0 /1): CF unchanged
            let m = try modrm()
            guard m.reg & 7 <= 1 else { throw Unsupported(what: "Group 5 /\(m.reg & 7)") }
            let carry = state.rflags & X86Interpreter.cf
            let r = try alu(m.reg & 7 == 0 ? 0 : 5, try get(m.rm, size), 1, size)!
            state.rflags = state.rflags & ~X86Interpreter.cf | carry
            try set(m.rm, size, r)
        case 0x0F:
            try twoByte(try fetch8(), size: size)
        default:
            throw Unsupported(what: "opcode 0x\(String(op, radix: 16)) at 0x\(String(start, radix: 16))")
        }
        return false
    }

    /// The 0F map: system instructions of the Popek-Goldberg table, CPUID, RDTSC, Jcc rel32, IMUL.
    private mutating func twoByte(_ op: UInt8, size: Int) throws {
        switch op {
        case 0x00: //                                        Group 6: SLDT STR LLDT LTR VERR VERW
            let m = try modrm()
            switch m.reg & 7 {
            case 0: try requireUMIPAllows(); try storeSelector(m.rm, state.ldtr, size)
            case 1: try requireUMIPAllows(); try storeSelector(m.rm, state.tr, size)
            case 2: //                                       LLDT: only the null selector (no LDT is modelled)
                try requireCPL0()
                let selector = UInt16(try get(m.rm, 2))
                guard selector & ~3 == 0 else { throw Unsupported(what: "LLDT of a non-null selector") }
                state.ldtr = selector
            case 3: try requireCPL0(); try loadTaskRegister(UInt16(try get(m.rm, 2)))
            case 4, 5: try verify(UInt16(try get(m.rm, 2)), write: m.reg & 7 == 5)
            default: throw Unsupported(what: "0F 00 /\(m.reg & 7)")
            }
        case 0x01: //                                        Group 7: SGDT SIDT LGDT LIDT SMSW LMSW INVLPG
            let m = try modrm()
            let baseSize = long ? 8 : 4
            switch m.reg & 7 {
            case 0, 1, 4: try requireUMIPAllows()
            default: try requireCPL0()
            }
            switch (m.reg & 7, m.rm) {
            case (0, .memory(let a)), (1, .memory(let a)):
                let isGDT = m.reg & 7 == 0
                try write(a, 2, UInt64(isGDT ? state.gdtrLimit : state.idtrLimit))
                // SDM Vol.2 SGDT: with a 16-bit operand in legacy mode the base's top byte is stored as 0.
                let base = isGDT ? state.gdtrBase : state.idtrBase
                try write(a &+ 2, baseSize, long || size == 4 ? base : base & 0xFF_FFFF)
            case (2, .memory(let a)), (3, .memory(let a)):
                let limit = UInt16(try read(a, 2))
                var base = try read(a &+ 2, baseSize)
                if !long && size == 2 { base &= 0xFF_FFFF }
                if m.reg & 7 == 2 { state.gdtrLimit = limit; state.gdtrBase = base } else { state.idtrLimit = limit; state.idtrBase = base }
            case (4, .register(let n)): setReg(n, size, state.cr0 & mask(size))
            case (4, .memory(let a)): try write(a, 2, state.cr0 & 0xFFFF)
            case (6, let rm): //                             LMSW: loads PE, MP, EM, TS; cannot clear PE
                let v = try get(rm, 2) & 0xF
                state.cr0 = (state.cr0 & ~0xE) | (v & 0xE) | (state.cr0 & 1) | (v & 1)
            case (7, .memory): break //                      INVLPG: no TLB is modelled
            default: throw Unsupported(what: "0F 01 /\(m.reg & 7)")
            }
        case 0x02, 0x03: //                                  LAR, LSL
            let m = try modrm()
            try loadAccess(m.reg, UInt16(try get(m.rm, 2)), limit: op == 0x03, size: size)
        case 0x06: try requireCPL0(); state.cr0 &= ~UInt64(8) // CLTS
        case 0x0B: throw Fault(vector: 6) //                 UD2
        case 0x08, 0x09: try requireCPL0() //                INVD, WBINVD: no caches are modelled
        case 0x20, 0x22, 0x21, 0x23: //                      MOV r64, CRn / CRn, r64 / DRn
            let m = try modrm()
            try requireCPL0()
            guard case .register(let n) = m.rm else { throw Fault(vector: 6) }
            let width = long ? 8 : 4
            switch (op, m.reg) {
            case (0x20, 0): setReg(n, width, state.cr0)
            case (0x20, 2): setReg(n, width, state.cr2)
            case (0x20, 3): setReg(n, width, state.cr3)
            case (0x20, 4): setReg(n, width, state.cr4)
            case (0x22, 0): state.cr0 = reg(n, width) | 0x10 //   ET is fixed to 1 (SDM Vol.3A 2.5)
            case (0x22, 2): state.cr2 = reg(n, width)
            case (0x22, 3): state.cr3 = reg(n, width)
            case (0x22, 4):
                let value = reg(n, width)
                if value & state.reservedCR4 != 0 { throw Fault(vector: 13) }
                state.cr4 = value
            case (0x21, let d) where d < 8: setReg(n, width, state.dr[d == 4 ? 6 : d == 5 ? 7 : d])
            case (0x23, let d) where d < 4: state.dr[d] = reg(n, width)
            default: throw Unsupported(what: "MOV CR/DR \(m.reg)")
            }
        case 0x30: //                                        WRMSR: EDX:EAX to MSR[ECX]
            try requireCPL0()
            state.msrs[UInt32(truncatingIfNeeded: state.gpr[1])] = (state.gpr[2] & 0xFFFF_FFFF) << 32 | (state.gpr[0] & 0xFFFF_FFFF)
        case 0x32: //                                        RDMSR: only MSRs this run wrote are known
            try requireCPL0()
            guard let v = state.msrs[UInt32(truncatingIfNeeded: state.gpr[1])] else { throw Unsupported(what: "RDMSR of an unwritten MSR") }
            setReg(0, 4, v & 0xFFFF_FFFF)
            setReg(2, 4, v >> 32)
            if !long { state.gpr[0] = v & 0xFFFF_FFFF; state.gpr[2] = v >> 32 }
        case 0x31: //                                        RDTSC: the value is the host's; tests ignore EAX/EDX
            if state.cr4 & 4 != 0 && state.cpl > 0 { throw Fault(vector: 13) } // CR4.TSD
            setReg(0, 4, 0)
            setReg(2, 4, 0)
        case 0xA2: //                                        CPUID: the leaves are KVM's; tests ignore EAX-EDX
            for n in 0..<4 { setReg(n, 4, 0) }
        case 0x80...0x8F:
            let disp = try fetchSigned(long ? 4 : min(size, 4))
            if condition(op & 0xF) { jump(state.rip &+ disp) }
        case 0xAF: //                                        IMUL r, r/m: CF=OF=1 iff the result was truncated
            let m = try modrm()
            let a = reg(m.reg, size), b = try get(m.rm, size)
            let bits = size * 8
            let sa = Int64(bitPattern: a << UInt64(64 - bits)) >> Int64(64 - bits)
            let sb = Int64(bitPattern: b << UInt64(64 - bits)) >> Int64(64 - bits)
            let (full, overflow64) = sa.multipliedReportingOverflow(by: sb)
            let r = UInt64(bitPattern: full) & mask(size)
            let truncated = size == 8 ? overflow64 : (Int64(bitPattern: r << UInt64(64 - bits)) >> Int64(64 - bits)) != full
            setReg(m.reg, size, r)
            setResultFlags(r, size, carry: truncated, overflow: truncated, adjust: false)
            undefinedFlags |= X86Interpreter.sf | X86Interpreter.zf | X86Interpreter.af | X86Interpreter.pf // SDM Vol.2 IMUL
        default:
            throw Unsupported(what: "opcode 0x0f 0x\(String(op, radix: 16))")
        }
    }

    /// IRETQ and RETFQ in 64-bit mode: pop RIP, CS, (IRETQ: RFLAGS,) then RSP and SS (always for
    /// IRETQ, for RETFQ only to an outer ring). CS and SS come from the GDT (present, DPL = RPL,
    /// SS writable); to an outer ring DS, ES, FS, GS whose DPL is below the new CPL are nulled (all
    /// of ours: GuestRunner's DPL-0 segments). At CPL0 every flag loads (SDM Vol.2 IRET, RET).
    private mutating func farReturn(loadsFlags: Bool) throws {
        let rip = try pop(8), cs = UInt16(truncatingIfNeeded: try pop(8))
        let flags = loadsFlags ? try pop(8) : state.rflags
        let newCPL = Int(cs & 3)
        let popsStack = loadsFlags || newCPL > state.cpl
        let rsp = popsStack ? try pop(8) : state.gpr[4]
        let ss = popsStack ? UInt16(truncatingIfNeeded: try pop(8)) : state.segment[2]
        guard newCPL >= state.cpl, let code = try descriptor(cs), code >> 47 & 1 == 1, code >> 43 & 1 == 1,
              Int(code >> 45 & 3) == newCPL, code >> 53 & 1 == 1 else { throw Fault(vector: 13) }
        guard let stack = try descriptor(ss), stack >> 47 & 1 == 1, stack >> 43 & 1 == 0, stack >> 41 & 1 == 1,
              Int(ss & 3) == newCPL, Int(stack >> 45 & 3) == newCPL else { throw Fault(vector: 13) }
        try markAccessed(cs)
        try markAccessed(ss)
        var writable: UInt64 = 0x25_7FD5
        if state.cpl > 0 { writable &= ~0x3000 }
        if state.cpl > state.iopl { writable &= ~X86Interpreter.intf }
        state.rflags = (state.rflags & ~writable) | (flags & writable) | 2
        if newCPL > state.cpl { for sreg in [0, 3, 4, 5] { state.segment[sreg] = 0; state.segmentBase[sreg] = 0 } }
        state.segment[1] = cs
        state.segment[2] = ss
        state.gpr[4] = rsp
        state.rip = rip
    }

    /// Delivers vector `vector` through a 64-bit IDT gate (SDM Vol.3A 7.14, Vol.2 INT n): the gate
    /// must be present and an interrupt or trap gate; INT n also needs gate DPL >= CPL, else
    /// #GP(vector*8+2). A more privileged handler gets the stack from TSS.RSPn and a null SS.
    /// SS, RSP, RFLAGS, CS, RIP and the error code are pushed on a 16-byte aligned stack; an
    /// interrupt gate clears IF; TF, NT and RF are cleared.
    private mutating func deliver(_ vector: Int, errorCode: UInt64?, software: Bool) throws {
        let entry = UInt64(vector * 16)
        guard entry + 15 <= UInt64(state.idtrLimit) else { throw Fault(vector: 13, code: entry / 2 + 2) }
        let low = try read(state.idtrBase &+ entry, 8, supervisor: true)
        let high = try read(state.idtrBase &+ entry &+ 8, 8, supervisor: true)
        let type = low >> 40 & 0xF, gateDPL = Int(low >> 45 & 3)
        if software && gateDPL < state.cpl { throw Fault(vector: 13, code: entry / 2 + 2) }
        guard low >> 47 & 1 == 1, type == 0xE || type == 0xF else { throw Fault(vector: 11, code: entry / 2 + 2) }
        let selector = UInt16(truncatingIfNeeded: low >> 16)
        guard let code = try descriptor(selector), code >> 47 & 1 == 1, code >> 43 & 1 == 1, code >> 53 & 1 == 1,
              Int(code >> 45 & 3) <= state.cpl else { throw Fault(vector: 13, code: UInt64(selector & ~3)) }
        let newCPL = Int(code >> 45 & 3)
        let oldSS = state.segment[2], oldRSP = state.gpr[4], oldCS = state.segment[1], oldFlags = state.rflags
        var rsp = oldRSP, ss = oldSS
        if newCPL < state.cpl {
            rsp = try read(state.trBase &+ 4 &+ UInt64(8 * newCPL), 8, supervisor: true)
            ss = UInt16(newCPL)
        }
        state.segment[1] = selector & ~3 | UInt16(newCPL)
        state.segment[2] = ss
        state.gpr[4] = rsp & ~0xF
        for value in [UInt64(oldSS), oldRSP, oldFlags, UInt64(oldCS), state.rip] { try push(value, 8) }
        if let errorCode { try push(errorCode, 8) }
        state.rflags &= ~(X86Interpreter.tf | 0x4000 | 0x1_0000) //   TF, NT, RF
        if type == 0xE { state.rflags &= ~X86Interpreter.intf }
        state.rip = (low & 0xFFFF) | (low >> 32 & 0xFFFF_0000) | high << 32
    }

    /// LTR: a present, available 64-bit TSS descriptor (type 9, 16 bytes in IA-32e mode) loads TR
    /// and is marked busy (SDM Vol.2 LTR).
    private mutating func loadTaskRegister(_ selector: UInt16) throws {
        guard let low = try descriptor(selector), low >> 44 & 1 == 0, low >> 40 & 0xF == 9, low >> 47 & 1 == 1 else {
            throw Fault(vector: 13, code: UInt64(selector & ~3))
        }
        let high = try read(state.gdtrBase &+ UInt64(selector & ~7) &+ 8, 8, supervisor: true)
        state.tr = selector
        state.trBase = (low >> 16 & 0xFF_FFFF) | (low >> 32 & 0xFF00_0000) | (long ? high << 32 : 0)
        let typeByte = state.gdtrBase &+ UInt64(selector & ~7) &+ 5
        try write(typeByte, 1, try read(typeByte, 1, supervisor: true) | 2, supervisor: true)
    }

    /// Whether the descriptor of `selector` is visible from the current CPL and RPL (SDM Vol.2 LAR):
    /// code and data need DPL >= max(CPL, RPL) unless conforming code.
    private func visible(_ selector: UInt16, _ d: UInt64) -> Bool {
        let dpl = Int(d >> 45 & 3)
        let conformingCode = d >> 43 & 1 == 1 && d >> 42 & 1 == 1
        return conformingCode || dpl >= max(state.cpl, Int(selector & 3))
    }

    /// LAR and LSL: ZF=1 and the access rights (dword 2 AND 00FFFF00H) or the scaled limit when
    /// the descriptor is valid for the instruction and visible; otherwise ZF=0 and no write.
    private mutating func loadAccess(_ reg: Int, _ selector: UInt16, limit: Bool, size: Int) throws {
        var ok = false
        if let d = try descriptor(selector), visible(selector, d) {
            let system = d >> 44 & 1 == 0, type = Int(d >> 40 & 0xF)
            let validSystem: Set<Int> = limit ? [0x2, 0x9, 0xB] : [0x2, 0x9, 0xB, 0xC]
            ok = !system || (long ? validSystem.contains(type) : false)
            if ok {
                if limit {
                    var value = (d & 0xFFFF) | (d >> 32 & 0xF_0000)
                    if d >> 55 & 1 == 1 { value = value << 12 | 0xFFF }
                    setReg(reg, max(size, 4), value & 0xFFFF_FFFF)
                } else {
                    setReg(reg, max(size, 4), (d >> 32) & 0x00FF_FF00)
                }
            }
        }
        state.rflags = ok ? state.rflags | X86Interpreter.zf : state.rflags & ~X86Interpreter.zf
    }

    /// VERR/VERW: ZF=1 when the segment is readable (data, or readable code) or writable (data with
    /// W) from the current CPL and RPL (SDM Vol.2 VERR/VERW).
    private mutating func verify(_ selector: UInt16, write: Bool) throws {
        var ok = false
        if let d = try descriptor(selector), d >> 44 & 1 == 1, visible(selector, d) {
            let code = d >> 43 & 1 == 1, rw = d >> 41 & 1 == 1
            ok = write ? !code && rw : !code || rw
        }
        state.rflags = ok ? state.rflags | X86Interpreter.zf : state.rflags & ~X86Interpreter.zf
    }

    /// SLDT/STR: a register destination takes the operand size (upper bits zero), memory 16 bits.
    private mutating func storeSelector(_ rm: Operand, _ value: UInt16, _ size: Int) throws {
        if case .register(let n) = rm { setReg(n, size, UInt64(value)) } else { try set(rm, 2, UInt64(value)) }
    }
}
