import HostModel

/// Reads the vector format of Data/spec/README.md: `@ citation` lines, and one vector per line
/// `name | given | instruction operands | expected outcome [| then]`.
public enum VectorParser {
    public static func parse(_ text: String, file: String) throws(InputError) -> [ConformanceVector] {
        var vectors: [ConformanceVector] = []
        var citation: String?
        var names: Set<String> = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = index + 1
            func fail(_ message: String) -> InputError { InputError(path: file, line: lineNumber, message: message) }
            let trimmed = rawLine.trimmed()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("@") {
                citation = String(trimmed.dropFirst()).trimmed()
                if citation?.isEmpty == true { throw fail("empty citation") }
                continue
            }
            let columns = trimmed.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmed() }
            guard columns.count == 4 || columns.count == 5 else {
                throw fail("expected 'name | given | instruction | outcome [| then]', got \(columns.count) columns")
            }
            guard let citation else { throw fail("vector '\(columns[0])' has no '@ citation' line before it") }
            let name = columns[0]
            guard !name.isEmpty, !name.contains(" ") else { throw fail("bad vector name '\(name)'") }
            guard names.insert(name).inserted else { throw fail("duplicate vector name '\(name)'") }

            let givenWords = words(columns[1])
            guard let baseWord = givenWords.first, let base = VectorBase(rawValue: baseWord) else {
                throw fail("given must start with a base (\(VectorBase.allCases.map(\.rawValue).joined(separator: ", "))), got '\(columns[1])'")
            }
            let given = try settings(givenWords.dropFirst(), fail)

            let doWords = words(columns[2])
            guard let mnemonic = doWords.first, let instruction = Instruction(rawValue: mnemonic) else {
                throw fail("unknown instruction '\(doWords.first ?? "")'")
            }
            let operands = try parseOperands(doWords.dropFirst(), for: instruction, fail)

            guard let expected = Outcome(parsing: columns[3]) else { throw fail("unknown outcome '\(columns[3])'") }
            let then = columns.count == 5 ? try settings(words(columns[4])[...], fail) : []
            for setting in then {
                do {
                    try setting.checkRange()
                } catch {
                    throw fail(error.message)
                }
            }
            let vector = ConformanceVector(name: name, file: file, line: lineNumber, citation: citation, base: base,
                                           given: given, instruction: instruction, operands: operands,
                                           expected: expected, then: then)
            // Settings that cannot apply to the base (a VMCS field with no current VMCS, an
            // out-of-range value) are the file's error, not a silent no-op at run time.
            do {
                _ = try vector.initialState(.reference)
            } catch {
                throw fail(error.message)
            }
            vectors.append(vector)
        }
        return vectors
    }

    static func words(_ text: String) -> [String] { text.split(ascii: " ").map(String.init) }

    static func settings(_ words: ArraySlice<String>, _ fail: (String) -> InputError) throws(InputError) -> [StateSetting] {
        var result: [StateSetting] = []
        for word in words {
            do {
                result.append(try StateSetting(parsing: word))
            } catch {
                throw fail(error.message)
            }
        }
        return result
    }

    /// Instructions with a memory operand whose encoding a VM exit reports (SDM 28.2.5), and
    /// those of them with a register form (Reg1) or a second register (Reg2).
    static let encodedMemoryOperand: Set<Instruction> = [.vmxon, .vmclear, .vmptrld, .vmptrst, .vmread, .vmwrite, .invept, .invvpid]
    static let encodedRegisters: Set<Instruction> = [.vmread, .vmwrite, .invept, .invvpid]

    static func parseOperands(_ words: ArraySlice<String>, for instruction: Instruction,
                              _ fail: (String) -> InputError) throws(InputError) -> Operands {
        var o = Operands()
        var encodingKeys: [String] = []
        for word in words {
            if word == "reg" {
                o.registerForm = true
                continue
            }
            guard let eq = word.firstIndex(of: "=") else { throw fail("operand must be key=value or 'reg', got '\(word)'") }
            let key = String(word[..<eq])
            let valueText = String(word[word.index(after: eq)...])
            if key == "fault" {
                switch valueText {
                case "gp": o.memoryFault = .gp
                case "ss": o.memoryFault = .ss
                case "pf": o.memoryFault = .pf
                default: throw fail("fault must be gp, ss or pf, got '\(valueText)'")
                }
                continue
            }
            if let form = try parseEncoding(key, valueText, into: &o.form, fail) {
                guard form == "reg1" || form == "reg2" ? encodedRegisters.contains(instruction) : encodedMemoryOperand.contains(instruction) else {
                    throw fail("'\(key)=' does not apply: \(instruction.rawValue) has no such operand to encode")
                }
                encodingKeys.append(form)
                continue
            }
            guard let value = parseInteger(valueText) else { throw fail("bad operand value '\(word)'") }
            switch key {
            case "addr": o.address = value
            case "enc": o.encoding = value
            case "val": o.value = value
            case "type": o.type = value
            case "desc.lo", "eptp", "vpid": o.descriptorLow = value
            case "desc.hi", "gla": o.descriptorHigh = value
            case "eax": o.eax = value
            case "ecx": o.ecx = value
            case "rax": o.rax = value
            default: throw fail("unknown operand '\(key)'")
            }
        }
        // The register form has no memory operand to describe; Reg1 exists only in it; a scale
        // needs an index.
        let memoryKeys = encodingKeys.filter { $0 != "reg1" && $0 != "reg2" }
        if o.registerForm, let first = memoryKeys.first { throw fail("'\(first)=' describes a memory operand, but the operand is 'reg'") }
        if !o.registerForm && encodingKeys.contains("reg1") { throw fail("'reg1=' names the register operand: it needs 'reg'") }
        if o.form.index == nil && encodingKeys.contains("scale") { throw fail("'scale=' needs an 'index='") }
        return o
    }

    /// One operand-encoding key (Data/spec/README.md "Operands"): its name when it is one, nil
    /// when the key is not an encoding key; throws for a value outside what x86 can encode.
    static func parseEncoding(_ key: String, _ text: String, into form: inout OperandEncoding,
                              _ fail: (String) -> InputError) throws(InputError) -> String? {
        func register() throws(InputError) -> GeneralRegister {
            guard let r = GeneralRegister.byName[text] else { throw fail("'\(key)=' must be a register rax-r15, got '\(text)'") }
            return r
        }
        /// Base and index may be absent.
        func optionalRegister() throws(InputError) -> GeneralRegister? { text == "none" ? nil : try register() }
        switch key {
        case "seg":
            guard let r = OperandEncoding.dataSegments.first(where: { $0.name == text }) else {
                throw fail("'seg=' must be es, cs, ss, ds, fs or gs, got '\(text)'")
            }
            form.segment = r
        case "base": form.base = try optionalRegister()
        case "index":
            let r = try optionalRegister()
            if r == .rsp { throw fail("'index=rsp' cannot be encoded (SIB index 100b means no index)") }
            form.index = r
        case "scale":
            guard let n = parseInteger(text), [1, 2, 4, 8].contains(n) else { throw fail("'scale=' must be 1, 2, 4 or 8, got '\(text)'") }
            form.scale = n
        case "disp":
            let negative = text.hasPrefix("-")
            guard let magnitude = parseInteger(negative ? String(text.dropFirst()) : text),
                  magnitude <= (negative ? 0x8000_0000 : 0x7FFF_FFFF) else {
                throw fail("'disp=' must be a signed 32-bit displacement, got '\(text)'")
            }
            form.displacement = negative ? 0 &- magnitude : magnitude
        case "asize":
            guard let n = parseInteger(text), [16, 32, 64].contains(n) else { throw fail("'asize=' must be 16, 32 or 64, got '\(text)'") }
            form.addressSize = n
        case "reg1": form.reg1 = try register()
        case "reg2": form.reg2 = try register()
        default: return nil
        }
        return key
    }
}
