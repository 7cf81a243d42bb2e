import HostModel

/// One `key=value` of a vector's `given` or `then` column: a piece of machine state to set
/// before the instruction runs, or to check after it (Data/spec/README.md lists the keys).
public struct StateSetting: Sendable, Hashable, CustomStringConvertible {
    public typealias CapabilityPath = WritableKeyPath<VMXCapabilityMSRs, UInt64> & Sendable
    public typealias VMCBNumberPath = WritableKeyPath<VMCB, UInt64> & Sendable
    public typealias VMCBFlagPath = WritableKeyPath<VMCB, Bool> & Sendable
    public typealias TrueCapabilityPath = WritableKeyPath<VMXCapabilityMSRs, UInt64?> & Sendable

    /// The parts of a segment register a key can name.
    public enum SegmentPart: String, Sendable, Hashable {
        case selector = "sel", attributes = "attr", limit, base
    }

    /// The parts of GDTR or IDTR a key can name.
    public enum TablePart: String, Sendable, Hashable {
        case base, limit
    }

    /// The parts of the VM-exit instruction-information field a key can name (SDM 28.2.5).
    public enum InformationPart: String, Sendable, Hashable, CaseIterable {
        case scale, asize, reg, seg, index, base, reg1, reg2
    }

    /// What the key names.
    public indirect enum Key: Sendable, Hashable {
        case mode, cpl, cr0, cr4, efer, rflags, csL, featureControl, smx, a20m, smm, smmMonitor, dualMonitor, movSS
        case vmxon, current, skinit, vmCR, hsave, gif, svmGuest, guestVMCB
        case error, launched, destination, link, shadowing, vmreadBitmap, vmwriteBitmap
        case rip, rsp, rax, cr3, instructionLength, sti, shutdown, svmFeatures, extendedFeatures
        case segment(SegmentRegister, SegmentPart)
        case descriptorTable(DescriptorTableRegister.Name, TablePart)
        /// A part of the current VMCS's VM-exit instruction-information field (0x440E).
        case instructionInformation(InformationPart)
        case msr(UInt32)
        case capability(CapabilityPath)
        /// IA32_VMX_TRUE_*_CTLS (absent when BASIC[55] = 0: `none`).
        case trueCapability(TrueCapabilityPath)
        case physicalAddressWidth
        /// The bits IA32_PERF_GLOBAL_CTRL defines (`none`: unknown).
        case perfGlobalCtrlBits
        case regionAbort(UInt64)
        case vmcbSegment(UInt64, SegmentRegister, SegmentPart)
        case vmcbDescriptorTable(UInt64, DescriptorTableRegister.Name, TablePart)
        case vmcbMSR(UInt64, ModelMSR)
        /// A field of the current VMCS.
        case field(UInt32)
        case regionHeader(UInt64)
        case regionLaunched(UInt64)
        case regionField(UInt64, UInt32)
        case memory(UInt64)
        case vmcb(UInt64, VMCBNumberPath)
        case vmcbFlag(UInt64, VMCBFlagPath)
        case vmcbIntercepts(UInt64)
        case vmcbExitCode(UInt64)
        case bit(Key, Int)
    }

    /// A value as written; revision keywords resolve against the capabilities at run time.
    public enum Value: Sendable, Hashable {
        case number(UInt64)
        /// `rev` (the CPU's VMCS revision id) or `shadow` (the same with bit 31 set).
        case revision(shadow: Bool)
        case list([UInt64])
        case names([SVMIntercept])
    }

    public var key: Key
    public var value: Value
    /// The text as written, for messages.
    public var text: String

    public var description: String { text }

    // MARK: parsing

    static let bitNames: [String: [String: Int]] = [
        "cr0": ["pe": 0, "mp": 1, "em": 2, "ts": 3, "et": 4, "ne": 5, "wp": 16, "am": 18, "nw": 29, "cd": 30, "pg": 31],
        "cr4": ["vme": 0, "pvi": 1, "tsd": 2, "de": 3, "pse": 4, "pae": 5, "mce": 6, "pge": 7, "pce": 8, "osfxsr": 9,
                "umip": 11, "la57": 12, "vmxe": 13, "smxe": 14, "fsgsbase": 16, "pcide": 17, "osxsave": 18, "smep": 20, "smap": 21, "pke": 22],
        "efer": ["sce": 0, "lme": 8, "lma": 10, "nxe": 11, "svme": 12],
        "rflags": ["cf": 0, "pf": 2, "af": 4, "zf": 6, "sf": 7, "tf": 8, "if": 9, "df": 10, "of": 11, "vm": 17],
        "fc": ["lock": 0, "smx": 1, "outside": 2],
        "svm-features": ["np": 0, "lbrv": 1, "svml": 2, "nrips": 3, "tsc-rate": 4, "vmcb-clean": 5, "flush-by-asid": 6,
                         "decode-assists": 7, "pause-filter": 10, "pause-filter-threshold": 12, "avic": 13, "vmsave-virt": 15,
                         "vgif": 16, "gmet": 17, "x2avic": 18, "sss-check": 19, "spec-ctrl": 20],
        "ext-features": ["syscall": 11, "nx": 20, "ffxsr": 25, "pdpe1gb": 26, "rdtscp": 27, "lm": 29],
    ]

    static let trueCapabilityKeys: [String: TrueCapabilityPath] = [
        "true-pin": \.truePinbased, "true-proc": \.trueProcbased, "true-exit": \.trueExit, "true-entry": \.trueEntry,
    ]

    static let segmentKeys: [String: SegmentRegister] = Dictionary(uniqueKeysWithValues: SegmentRegister.allCases.map { ($0.name, $0) })
    static let msrKeys: [String: ModelMSR] = Dictionary(uniqueKeysWithValues: ModelMSR.allCases.map { ($0.name, $0) })

    static let capabilityKeys: [String: CapabilityPath] = [
        "basic": \.basic, "pin": \.pinbased, "proc": \.procbased, "exit": \.exit, "entry": \.entry, "misc": \.misc,
        "cr0-fixed0": \.cr0Fixed0, "cr0-fixed1": \.cr0Fixed1, "cr4-fixed0": \.cr4Fixed0, "cr4-fixed1": \.cr4Fixed1,
        "vmcs-enum": \.vmcsEnum, "proc2": \.procbased2, "ept-vpid": \.eptVPIDCap, "vmfunc": \.vmfunc,
    ]

    static let vmcbKeys: [String: VMCBNumberPath] = [
        "iopm": \.iopmBase, "msrpm": \.msrpmBase, "eventinj": \.eventInjection, "efer": \.efer, "cr0": \.cr0,
        "cr3": \.cr3, "cr4": \.cr4, "dr6": \.dr6, "dr7": \.dr7, "rflags": \.rflags, "rip": \.rip, "rsp": \.rsp,
        "rax": \.rax, "cpl": \.cpl, "nrip": \.nextRIP, "exitinfo1": \.exitInfo1, "exitinfo2": \.exitInfo2,
        "exitintinfo": \.exitIntInfo,
    ]

    static let plainKeys: [String: Key] = [
        "mode": .mode, "cpl": .cpl, "cr0": .cr0, "cr4": .cr4, "efer": .efer, "rflags": .rflags, "cs.l": .csL,
        "fc": .featureControl, "smx": .smx, "a20m": .a20m, "smm": .smm, "smm-monitor": .smmMonitor,
        "dual-monitor": .dualMonitor, "mov-ss": .movSS, "vmxon": .vmxon, "current": .current, "skinit": .skinit,
        "vm_cr": .vmCR, "hsave": .hsave, "gif": .gif, "svm-guest": .svmGuest, "guest-vmcb": .guestVMCB,
        "rip": .rip, "rsp": .rsp, "rax": .rax, "cr3": .cr3, "ilen": .instructionLength, "sti": .sti, "shutdown": .shutdown,
        "svm-features": .svmFeatures, "ext-features": .extendedFeatures, "error": .error, "launched": .launched, "dest": .destination, "link": .link,
        "shadowing": .shadowing, "vmread-bitmap": .vmreadBitmap, "vmwrite-bitmap": .vmwriteBitmap,
        "maxphyaddr": .physicalAddressWidth, "cap.perf-global-ctrl": .perfGlobalCtrlBits,
    ]

    /// Parses `key=value`; the error message says what is wrong.
    public init(parsing text: String) throws(SettingError) {
        guard let eq = text.firstIndex(of: "=") else { throw SettingError("expected key=value, got '\(text)'") }
        let keyText = String(text[..<eq])
        let valueText = String(text[text.index(after: eq)...])
        self.text = text
        self.key = try Self.parseKey(keyText)
        self.value = try Self.parseValue(valueText, for: key)
    }

    static func parseKey(_ text: String) throws(SettingError) -> Key {
        if let key = plainKeys[text] { return key }
        // NAME.bN or NAME.bitname
        if let dot = text.lastIndex(of: "."), text[text.index(after: dot)...].first != nil {
            let base = String(text[..<dot])
            let bitText = String(text[text.index(after: dot)...])
            if let named = bitNames[base]?[bitText] { return .bit(try numericKey(base), named) }
            if bitText.hasPrefix("b"), let n = Int(bitText.dropFirst()), (0..<64).contains(n) {
                return .bit(try numericKey(base), n)
            }
        }
        if text.hasPrefix("cap."), let path = capabilityKeys[String(text.dropFirst(4))] { return .capability(path) }
        if text.hasPrefix("cap."), let path = trueCapabilityKeys[String(text.dropFirst(4))] { return .trueCapability(path) }
        if let (register, part) = segmentKey(text) { return .segment(register, part) }
        if let (table, part) = tableKey(text) { return .descriptorTable(table, part) }
        if text.hasPrefix("info."), let part = InformationPart(rawValue: String(text.dropFirst(5))) { return .instructionInformation(part) }
        if text.hasPrefix("msr.") {
            guard let msr = msrKeys[String(text.dropFirst(4))] else { throw SettingError("unknown MSR '\(text)'") }
            return .msr(msr.rawValue)
        }
        if text.hasPrefix("msr:") {
            guard let index = parseInteger(text.dropFirst(4)), index <= 0xFFFF_FFFF else { throw SettingError("bad MSR index in '\(text)'") }
            return .msr(UInt32(index))
        }
        if text.hasPrefix("field:"), let enc = parseInteger(text.dropFirst(6)), enc <= 0xFFFF_FFFF { return .field(UInt32(enc)) }
        if text.hasPrefix("mem@"), let addr = parseInteger(text.dropFirst(4)) { return .memory(addr) }
        if text.hasPrefix("vmcs@") {
            let rest = text.dropFirst(5)
            if let colon = rest.firstIndex(of: ":") {
                if let addr = parseInteger(rest[..<colon]), let enc = parseInteger(rest[rest.index(after: colon)...]), enc <= 0xFFFF_FFFF {
                    return .regionField(addr, UInt32(enc))
                }
            } else if rest.hasSuffix(".launched"), let addr = parseInteger(rest.dropLast(9)) {
                return .regionLaunched(addr)
            } else if rest.hasSuffix(".abort"), let addr = parseInteger(rest.dropLast(6)) {
                return .regionAbort(addr)
            } else if let addr = parseInteger(rest) {
                return .regionHeader(addr)
            }
        }
        if text.hasPrefix("vmcb@"), let dot = text.firstIndex(of: "."), let addr = parseInteger(text[text.index(text.startIndex, offsetBy: 5)..<dot]) {
            let property = String(text[text.index(after: dot)...])
            switch property {
            case "intercepts": return .vmcbIntercepts(addr)
            case "exitcode": return .vmcbExitCode(addr)
            case "asid": return .vmcb(addr, \.asidWide)
            case "np": return .vmcbFlag(addr, \.nestedPaging)
            case "cs.l": return .bit(.vmcbSegment(addr, .cs, .attributes), 9)   // packed attrib: L is bit 9
            case "cs.d": return .bit(.vmcbSegment(addr, .cs, .attributes), 10)  // D/B is bit 10
            default:
                if let path = vmcbKeys[property] { return .vmcb(addr, path) }
                if let (register, part) = segmentKey(property) { return .vmcbSegment(addr, register, part) }
                if let (table, part) = tableKey(property) { return .vmcbDescriptorTable(addr, table, part) }
                if property.hasPrefix("msr."), let msr = msrKeys[String(property.dropFirst(4))],
                   ModelMSR.vmloadSet.contains(msr) { return .vmcbMSR(addr, msr) }
            }
        }
        throw SettingError("unknown key '\(text)'")
    }

    /// A key whose value is a number, so that one of its bits can be named (a list or a mode has no bits).
    static func numericKey(_ text: String) throws(SettingError) -> Key {
        let key = try parseKey(text)
        switch key {
        case .mode, .vmreadBitmap, .vmwriteBitmap, .vmcbIntercepts: throw SettingError("'\(text)' is not a number: it has no bits")
        default: return key
        }
    }

    /// `SEG.sel`, `SEG.attr`, `SEG.limit`, `SEG.base` for SEG in es cs ss ds fs gs ldtr tr.
    static func segmentKey(_ text: String) -> (SegmentRegister, SegmentPart)? {
        guard let dot = text.firstIndex(of: "."), let register = segmentKeys[String(text[..<dot])],
              let part = SegmentPart(rawValue: String(text[text.index(after: dot)...])) else { return nil }
        return (register, part)
    }

    /// `gdtr.base`, `gdtr.limit`, `idtr.base`, `idtr.limit`.
    static func tableKey(_ text: String) -> (DescriptorTableRegister.Name, TablePart)? {
        guard let dot = text.firstIndex(of: "."), let table = DescriptorTableRegister.Name(rawValue: String(text[..<dot])),
              let part = TablePart(rawValue: String(text[text.index(after: dot)...])) else { return nil }
        return (table, part)
    }

    static func parseValue(_ text: String, for key: Key) throws(SettingError) -> Value {
        switch key {
        case .instructionInformation(.seg):
            if let r = OperandEncoding.dataSegments.first(where: { $0.name == text }) { return .number(UInt64(r.rawValue)) }
            guard let v = parseInteger(text) else { throw SettingError("'info.seg' must be es, cs, ss, ds, fs or gs, got '\(text)'") }
            return .number(v)
        case .instructionInformation(.index), .instructionInformation(.base), .instructionInformation(.reg1), .instructionInformation(.reg2):
            if let r = GeneralRegister.byName[text] { return .number(r.rawValue) }
            if text == "none" { return .number(MachineState.invalidPointer) }
            guard let v = parseInteger(text) else { throw SettingError("bad register '\(text)' (rax-r15 or none)") }
            return .number(v)
        case .mode:
            switch text {
            case "outside": return .number(0)
            case "root": return .number(1)
            case "nonroot": return .number(2)
            default: throw SettingError("mode must be outside, root or nonroot, got '\(text)'")
            }
        case .vmreadBitmap, .vmwriteBitmap:
            if text == "none" { return .list([]) }
            var values: [UInt64] = []
            for part in text.split(ascii: ",") {
                guard let v = parseInteger(part), v <= 0x7FFF else {
                    throw SettingError("bad encoding '\(part)' in '\(text)' (bitmap bits are encodings 0-0x7fff)")
                }
                values.append(v)
            }
            return .list(values)
        case .vmcbIntercepts:
            if text == "none" { return .names([]) }
            var names: [SVMIntercept] = []
            for part in text.split(ascii: ",") {
                guard let n = SVMIntercept(rawValue: String(part)) else { throw SettingError("unknown intercept '\(part)'") }
                names.append(n)
            }
            return .names(names)
        case .regionHeader where text == "rev": return .revision(shadow: false)
        case .regionHeader where text == "shadow": return .revision(shadow: true)
        default:
            if text == "none" { return .number(MachineState.invalidPointer) }
            guard let v = parseInteger(text) else { throw SettingError("bad value '\(text)'") }
            return .number(v)
        }
    }

    // MARK: applying and checking

    func resolved(_ state: MachineState) -> Value {
        if case .revision(let shadow) = value {
            return .number(UInt64(state.capabilities.revisionID) | (shadow ? 1 << 31 : 0))
        }
        return value
    }

    /// Sets the state this setting names. Throws when it cannot apply (a VMCS field with no
    /// current VMCS, the launch state of a page with no VMCS) or the value is out of the key's
    /// range (cpl=7, maxphyaddr=64, a 16-bit field set to 0x10000): never clamped, never dropped.
    public func apply(to state: inout MachineState) throws(SettingError) {
        let v = resolved(state)
        try Self.write(key, v, &state, text)
    }

    /// Throws when the value is outside the key's range: a `then` setting is checked as strictly
    /// as a `given` one, though it is compared, not applied.
    public func checkRange() throws(SettingError) {
        if case .number(let n) = value { try Self.checkRange(key, n, text) }
    }

    static func checkRange(_ key: Key, _ n: UInt64, _ text: String) throws(SettingError) {
        if let maximum = maximum(key), n > maximum {
            throw SettingError("'\(text)': value 0x\(String(n, radix: 16)) is out of range (at most 0x\(String(maximum, radix: 16)))")
        }
        if case .instructionInformation(let p) = key { _ = try withInformation(p, n, 0, text) }
    }

    /// True when the state holds this setting's value.
    public func holds(in state: MachineState) -> Bool {
        Self.read(key, state) == resolved(state)
    }

    /// The current value, spelled as a vector would (for mismatch messages).
    public func actual(in state: MachineState) -> String {
        switch Self.read(key, state) {
        case .number(let n): "0x" + String(n, radix: 16)
        case .list(let l): l.map { "0x" + String($0, radix: 16) }.joined(separator: ",")
        case .names(let n): n.map(\.rawValue).joined(separator: ",")
        case .revision: "rev"
        }
    }

    static func number(_ v: Value) -> UInt64 {
        if case .number(let n) = v { return n }
        return 0
    }

    static func read(_ key: Key, _ s: MachineState) -> Value {
        func flag(_ b: Bool) -> Value { .number(b ? 1 : 0) }
        func part(_ segment: Segment, _ p: SegmentPart, vmcb: Bool) -> Value {
            switch p {
            case .selector: .number(UInt64(segment.selector))
            case .attributes: .number(vmcb ? UInt64(segment.vmcbAttributes) : UInt64(segment.attributes))
            case .limit: .number(UInt64(segment.limit))
            case .base: .number(segment.base)
            }
        }
        func table(_ register: DescriptorTableRegister, _ p: TablePart) -> Value {
            p == .base ? .number(register.base) : .number(UInt64(register.limit))
        }
        switch key {
        case .mode: return .number(s.mode == .outside ? 0 : s.mode == .root ? 1 : 2)
        case .cpl: return .number(UInt64(s.cpl))
        case .cr0: return .number(s.cr0)
        case .cr4: return .number(s.cr4)
        case .efer: return .number(s.efer)
        case .rflags: return .number(s.rflags)
        case .csL: return flag(s.csL)
        case .featureControl: return .number(s.featureControl)
        case .smx: return flag(s.smx)
        case .a20m: return flag(s.a20m)
        case .smm: return flag(s.smm)
        case .smmMonitor: return flag(s.smmMonitorValid)
        case .dualMonitor: return flag(s.dualMonitorActive)
        case .movSS: return flag(s.movSSBlocking)
        case .vmxon: return .number(s.vmxonPointer ?? MachineState.invalidPointer)
        case .current: return .number(s.currentVMCS)
        case .skinit: return flag(s.skinitSupported)
        case .vmCR: return .number(s.vmCR)
        case .hsave: return .number(s.hsavePA)
        case .gif: return flag(s.gif)
        case .svmGuest: return flag(s.svmGuest)
        case .guestVMCB: return .number(s.guestVMCB ?? MachineState.invalidPointer)
        case .error: return .number(s.currentField(VMCSFieldEncoding.instructionError))
        case .launched: return flag(s.vmcs[s.currentVMCS]?.launched == true)
        case .destination: return .number(s.destination ?? MachineState.invalidPointer)
        case .link: return .number(s.vmcsLinkPointer)
        case .shadowing: return flag(s.secondaryControl(14))
        case .vmreadBitmap: return .list(s.vmreadBitmap.sorted().map(UInt64.init))
        case .vmwriteBitmap: return .list(s.vmwriteBitmap.sorted().map(UInt64.init))
        case .rip: return .number(s.rip)
        case .rsp: return .number(s.rsp)
        case .rax: return .number(s.rax)
        case .cr3: return .number(s.cr3)
        case .instructionLength: return .number(s.instructionLength)
        case .sti: return flag(s.stiBlocking)
        case .shutdown: return flag(s.shutdown)
        case .svmFeatures: return .number(s.svmFeatures)
        case .extendedFeatures: return .number(s.extendedFeatures)
        case .segment(let r, let p): return part(s.segment(r), p, vmcb: false)
        case .descriptorTable(let t, let p): return table(s.descriptorTable(t), p)
        case .instructionInformation(let p): return .number(information(p, s.currentField(VMCSFieldEncoding.exitInstructionInfo)))
        case .msr(let index): return .number(s.msr(index))
        case .capability(let path): return .number(s.capabilities[keyPath: path])
        case .trueCapability(let path): return .number(s.capabilities[keyPath: path] ?? MachineState.invalidPointer)
        case .physicalAddressWidth: return .number(UInt64(s.capabilities.physicalAddressWidth))
        case .perfGlobalCtrlBits: return .number(s.perfGlobalCtrlBits ?? MachineState.invalidPointer)
        case .field(let enc): return .number(s.currentField(enc))
        case .regionHeader(let a): return .number(UInt64(s.vmcs[a]?.header ?? UInt32(truncatingIfNeeded: s.memory[a] ?? 0)))
        case .regionLaunched(let a): return flag(s.vmcs[a]?.launched == true)
        case .regionAbort(let a): return .number(UInt64(s.vmcs[a]?.abortIndicator ?? 0))
        case .regionField(let a, let enc): return .number(s.vmcs[a]?[enc] ?? 0)
        case .memory(let a): return .number(s.memory[a] ?? 0)
        case .vmcb(let a, let path): return .number(s.vmcbs[a]?[keyPath: path] ?? 0)
        case .vmcbFlag(let a, let path): return flag(s.vmcbs[a]?[keyPath: path] == true)
        case .vmcbIntercepts(let a): return .names((s.vmcbs[a]?.intercepts ?? []).sorted())
        case .vmcbExitCode(let a): return .number(s.vmcbs[a]?.exitCode ?? 0)
        case .vmcbSegment(let a, let r, let p): return part(s.vmcbs[a]?.segment(r) ?? Segment(attributes: 0), p, vmcb: true)
        case .vmcbMSR(let a, let m): return .number(s.vmcbs[a]?.msrs[m] ?? 0)
        case .vmcbDescriptorTable(let a, let t, let p): return table(s.vmcbs[a]?.descriptorTable(t) ?? DescriptorTableRegister(), p)
        case .bit(let base, let n): return .number(number(read(base, s)) >> UInt64(n) & 1)
        }
    }

    /// The largest value a key takes, nil when any 64-bit value is allowed.
    static func maximum(_ key: Key) -> UInt64? {
        switch key {
        case .mode: 2
        case .cpl: 3
        case .csL, .smx, .a20m, .smm, .smmMonitor, .dualMonitor, .movSS, .skinit, .gif, .svmGuest, .launched,
             .shadowing, .sti, .shutdown, .regionLaunched, .vmcbFlag: 1
        case .instructionLength: 15
        case .physicalAddressWidth: 52
        case .error, .regionHeader: 0xFFFF_FFFF
        case .field(let enc), .regionField(_, let enc):
            VMCSFieldEncoding.isHighAccess(enc) ? 0xFFFF_FFFF : [16: 0xFFFF, 32: 0xFFFF_FFFF][VMCSFieldEncoding.width(enc)]
        case .segment(_, let p):
            [.selector: 0xFFFF, .attributes: 0x1_FFFF, .limit: 0xFFFF_FFFF][p]
        case .vmcbSegment(_, _, let p):
            [.selector: 0xFFFF, .attributes: 0xFFF, .limit: 0xFFFF_FFFF][p]
        case .descriptorTable(_, let p), .vmcbDescriptorTable(_, _, let p): p == .limit ? 0xFFFF_FFFF : nil
        case .instructionInformation(let p):
            [.scale: 8, .asize: 64, .reg: 1, .seg: 5, .reg1: 15, .reg2: 15][p]
        case .vmcb(_, let path) where (path as AnyKeyPath) == (\VMCB.asidWide as AnyKeyPath): 0xFFFF_FFFF
        case .vmcb(_, let path) where (path as AnyKeyPath) == (\VMCB.cpl as AnyKeyPath): 3
        case .regionAbort: 0xFFFF_FFFF
        case .bit: 1
        default: nil
        }
    }

    static func write(_ key: Key, _ v: Value, _ s: inout MachineState, _ text: String) throws(SettingError) {
        let n = number(v)
        try checkRange(key, n, text)
        let pointer: UInt64? = n == MachineState.invalidPointer ? nil : n
        func currentVMCS() throws(SettingError) -> UInt64 {
            guard s.vmcs[s.currentVMCS] != nil else { throw SettingError("'\(text)' needs a current VMCS, and this state has none") }
            return s.currentVMCS
        }
        func setPart(_ segment: inout Segment, _ p: SegmentPart, vmcb: Bool) {
            switch p {
            case .selector: segment.selector = UInt16(n)
            case .attributes: segment.attributes = vmcb ? Segment.accessRights(vmcb: UInt16(n)) : UInt32(n)
            case .limit: segment.limit = UInt32(n)
            case .base: segment.base = n
            }
        }
        func setTable(_ register: inout DescriptorTableRegister, _ p: TablePart) {
            switch p {
            case .base: register.base = n
            case .limit: register.limit = UInt32(n)
            }
        }
        switch key {
        case .mode: s.mode = n == 0 ? .outside : n == 1 ? .root : .nonRoot
        case .cpl: s.cpl = Int(n)
        case .cr0: s.cr0 = n
        case .cr4: s.cr4 = n
        case .efer: s.efer = n
        case .rflags: s.rflags = n
        case .csL: s.csL = n != 0
        case .featureControl: s.featureControl = n
        case .smx: s.smx = n != 0
        case .a20m: s.a20m = n != 0
        case .smm: s.smm = n != 0
        case .smmMonitor: s.smmMonitorValid = n != 0
        case .dualMonitor: s.dualMonitorActive = n != 0
        case .movSS: s.movSSBlocking = n != 0
        case .vmxon: s.vmxonPointer = pointer
        case .current: s.currentVMCS = n
        case .skinit: s.skinitSupported = n != 0
        case .vmCR: s.vmCR = n
        case .hsave: s.hsavePA = n
        case .gif: s.gif = n != 0
        case .svmGuest: s.svmGuest = n != 0
        case .guestVMCB: s.guestVMCB = pointer
        case .error: try write(.field(VMCSFieldEncoding.instructionError), v, &s, text)
        case .launched: s.vmcs[try currentVMCS()]?.launched = n != 0
        case .destination: s.destination = pointer
        case .link: try write(.field(VMCSFieldEncoding.vmcsLinkPointer), v, &s, text)
        case .shadowing:
            try write(.bit(.field(VMCSFieldEncoding.procbasedControls), 31), .number(n), &s, text)
            try write(.bit(.field(VMCSFieldEncoding.secondaryControls), 14), v, &s, text)
        case .vmreadBitmap: if case .list(let l) = v { s.vmreadBitmap = Set(l.map { UInt32(truncatingIfNeeded: $0) }) }
        case .vmwriteBitmap: if case .list(let l) = v { s.vmwriteBitmap = Set(l.map { UInt32(truncatingIfNeeded: $0) }) }
        case .rip: s.rip = n
        case .rsp: s.rsp = n
        case .rax: s.rax = n
        case .cr3: s.cr3 = n
        case .instructionLength:
            guard n >= 1 else { throw SettingError("'\(text)': an instruction is 1 to 15 bytes long") }
            s.instructionLength = n
        case .sti: s.stiBlocking = n != 0
        case .shutdown: s.shutdown = n != 0
        case .svmFeatures: s.svmFeatures = n
        case .extendedFeatures: s.extendedFeatures = n
        case .segment(let r, let p): setPart(&s.segments[r, default: Segment()], p, vmcb: false)
        case .descriptorTable(let t, let p): setTable(&s.descriptorTables[t, default: DescriptorTableRegister()], p)
        case .instructionInformation(let p):
            let field = VMCSFieldEncoding.exitInstructionInfo
            let current = try currentVMCS()
            let value = try withInformation(p, n, s.currentField(field), text)
            s.vmcs[current]?[field] = value
        case .msr(let index): s.setMSR(index, n)
        case .capability(let path): s.capabilities[keyPath: path] = n
        case .trueCapability(let path): s.capabilities[keyPath: path] = pointer
        case .physicalAddressWidth:
            guard n >= 1 else { throw SettingError("'\(text)': MAXPHYADDR is 1 to 52") }
            s.capabilities.physicalAddressWidth = Int(n)
        case .perfGlobalCtrlBits: s.perfGlobalCtrlBits = pointer
        case .field(let enc): s.vmcs[try currentVMCS()]?[enc] = n
        case .regionHeader(let a):
            if s.vmcs[a] == nil { s.vmcs[a] = VMCSRegion(header: 0) }
            s.vmcs[a]?.header = UInt32(n)
        case .regionLaunched(let a):
            guard s.vmcs[a] != nil else { throw SettingError("'\(text)': there is no VMCS at 0x\(String(a, radix: 16))") }
            s.vmcs[a]?.launched = n != 0
        case .regionAbort(let a):
            guard s.vmcs[a] != nil else { throw SettingError("'\(text)': there is no VMCS at 0x\(String(a, radix: 16))") }
            s.vmcs[a]?.abortIndicator = UInt32(n)
        case .regionField(let a, let enc): s.vmcs[a, default: VMCSRegion(header: 0)][enc] = n
        case .memory(let a): s.memory[a] = n
        case .vmcb(let a, let path): s.vmcbs[a, default: VMCB.valid][keyPath: path] = n
        case .vmcbFlag(let a, let path): s.vmcbs[a, default: VMCB.valid][keyPath: path] = n != 0
        case .vmcbIntercepts(let a): if case .names(let l) = v { s.vmcbs[a, default: VMCB.valid].intercepts = Set(l) }
        case .vmcbExitCode(let a): s.vmcbs[a, default: VMCB.valid].exitCode = n
        case .vmcbSegment(let a, let r, let p):
            setPart(&s.vmcbs[a, default: VMCB.valid].segments[r, default: Segment(attributes: 0)], p, vmcb: true)
        case .vmcbMSR(let a, let m): s.vmcbs[a, default: VMCB.valid].msrs[m] = n
        case .vmcbDescriptorTable(let a, let t, let p):
            setTable(&s.vmcbs[a, default: VMCB.valid].descriptorTables[t, default: DescriptorTableRegister()], p)
        case .bit(let base, let bit):
            let old = number(read(base, s))
            let mask = UInt64(1) << UInt64(bit)
            try write(base, .number(n != 0 ? old | mask : old & ~mask), &s, text)
        }
    }
}

extension StateSetting {
    /// Bit positions of the instruction-information parts (SDM 28.2.5): scale 1:0, Reg1 6:3,
    /// address size 9:7, Mem/Reg 10, segment 17:15, index 21:18 (invalid 22), base 26:23
    /// (invalid 27), Reg2 31:28.
    static func information(_ p: InformationPart, _ v: UInt64) -> UInt64 {
        switch p {
        case .scale: 1 << (v & 3)
        case .asize: [0: 16, 1: 32, 2: 64][v >> 7 & 7] ?? v >> 7 & 7
        case .reg: v >> 10 & 1
        case .seg: v >> 15 & 7
        case .index: v >> 22 & 1 == 1 ? MachineState.invalidPointer : v >> 18 & 0xF
        case .base: v >> 27 & 1 == 1 ? MachineState.invalidPointer : v >> 23 & 0xF
        case .reg1: v >> 3 & 0xF
        case .reg2: v >> 28 & 0xF
        }
    }

    /// `field` with part `p` set to `n` (as `information` reads it); throws for a value the
    /// field cannot hold (a scale other than 1/2/4/8, an address size other than 16/32/64).
    static func withInformation(_ p: InformationPart, _ n: UInt64, _ field: UInt64, _ text: String) throws(SettingError) -> UInt64 {
        func put(_ value: UInt64, at low: UInt64, width: UInt64) -> UInt64 {
            let mask: UInt64 = (1 << width - 1) << low
            return field & ~mask | value << low & mask
        }
        switch p {
        case .scale:
            guard let code = [1: UInt64(0), 2: 1, 4: 2, 8: 3][n] else { throw SettingError("'\(text)': the scale is 1, 2, 4 or 8") }
            return put(code, at: 0, width: 2)
        case .asize:
            guard let code = [16: UInt64(0), 32: 1, 64: 2][n] else { throw SettingError("'\(text)': the address size is 16, 32 or 64") }
            return put(code, at: 7, width: 3)
        case .reg: return put(n, at: 10, width: 1)
        case .seg: return put(n, at: 15, width: 3)
        case .index, .base:
            guard n <= 15 || n == MachineState.invalidPointer else { throw SettingError("'\(text)': a register is rax-r15 (0-15) or none") }
            return p == .index
                ? (n == MachineState.invalidPointer ? put(1, at: 18 + 4, width: 1) : put(n, at: 18, width: 5))
                : (n == MachineState.invalidPointer ? put(1, at: 27, width: 1) : put(n, at: 23, width: 5))
        case .reg1: return put(n, at: 3, width: 4)
        case .reg2: return put(n, at: 28, width: 4)
        }
    }
}

/// Why a `key=value` could not be parsed.
public struct SettingError: Error, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
}
