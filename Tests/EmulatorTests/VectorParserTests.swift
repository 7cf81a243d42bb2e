import Emulator
import HostModel
import Testing

@Suite struct VectorParserTests {
    @Test func parsesAVectorWithCitationGivenOperandsAndThen() throws {
        let text = "# comment\n\n@ SDM VMXON row 2\nv1 | outside cpl=3 cr4.umip=1 vmcs@0x4000=shadow | VMXON reg addr=0x1000 fault=ss | #GP(0) | mode=outside\r\n"
        let vectors = try VectorParser.parse(text, file: "t.vectors")
        let v = try #require(vectors.first)
        #expect(vectors.count == 1)
        #expect(v.name == "v1" && v.line == 4 && v.citation == "SDM VMXON row 2")
        #expect(v.base == .outside && v.given.count == 3 && v.then.count == 1)
        #expect(v.instruction == .vmxon && v.operands.registerForm && v.operands.address == 0x1000 && v.operands.memoryFault == .ss)
        #expect(v.expected == .fault(.gp))
        let state = try v.initialState(.reference)
        #expect(state.cpl == 3 && state.cr4 >> 11 & 1 == 1 && state.vmcs[0x4000]?.header == 0x8000_0004)
    }

    @Test(arguments: [
        ("v | outside | VMXON | #UD", 1, "no '@ citation'"),
        ("@ c\nv | nowhere | VMXON | #UD", 2, "given must start with a base"),
        ("@ c\nv | outside | VMXYZ | #UD", 2, "unknown instruction"),
        ("@ c\nv | outside | VMXON | #XX", 2, "unknown outcome"),
        ("@ c\nv | outside bogus=1 | VMXON | #UD", 2, "unknown key 'bogus'"),
        ("@ c\nv | outside cpl=x | VMXON | #UD", 2, "bad value"),
        ("@ c\nv | outside | VMXON addr | #UD", 2, "operand must be key=value"),
        ("@ c\nv | outside | VMXON | #UD\nv | outside | VMXON | #UD", 3, "duplicate vector name"),
        ("@ c\nv | outside | VMXON", 2, "columns"),
        // Out-of-range values are errors, never clamped (cpl=7 was CPL 3, maxphyaddr=64 was 0).
        ("@ c\nv | outside cpl=7 | VMXON | #UD", 2, "out of range"),
        ("@ c\nv | outside maxphyaddr=64 | VMXON | #UD", 2, "out of range"),
        ("@ c\nv | outside maxphyaddr=0 | VMXON | #UD", 2, "MAXPHYADDR"),
        ("@ c\nv | current field:0x0=0x10000 | VMXON | #UD", 2, "out of range"),
        ("@ c\nv | outside ilen=16 | VMXON | #UD", 2, "out of range"),
        ("@ c\nv | outside cs.sel=0x10000 | VMXON | #UD", 2, "out of range"),
        ("@ c\nv | svm vmcb@0x5000.cpl=4 | VMRUN rax=0x5000 | #UD", 2, "out of range"),
        ("@ c\nv | outside vmread-bitmap=0x8000 | VMXON | #UD", 2, "bitmap"),
        // Settings that cannot apply are errors, never dropped (a field with no current VMCS).
        ("@ c\nv | root field:0x4000=1 | VMXON | #UD", 2, "needs a current VMCS"),
        ("@ c\nv | outside launched=1 | VMXON | #UD", 2, "needs a current VMCS"),
        ("@ c\nv | outside vmcs@0x9000.launched=1 | VMXON | #UD", 2, "no VMCS at 0x9000"),
        ("@ c\nv | outside msr.bogus=1 | VMXON | #UD", 2, "unknown MSR"),
        ("@ c\nv | outside vmread-bitmap.b3=1 | VMXON | #UD", 2, "has no bits"),
        // Reserved or unknown table numbers are not outcomes.
        ("@ c\nv | outside | VMXON | VMfailValid(14)", 2, "unknown outcome"),
        ("@ c\nv | outside | VMXON | exit(35)", 2, "unknown outcome"),
        ("@ c\nv | outside | VMXON | #VMEXIT(0x1234)", 2, "unknown outcome"),
        ("@ c\nv | outside | VMXON | entry-failure(20,0)", 2, "unknown outcome"),
        // Operand encodings x86 cannot express, or that do not apply, are errors (SDM 28.2.5).
        ("@ c\nv | guest | VMCLEAR addr=0x2000 index=rsp | #UD", 2, "index=rsp"),
        ("@ c\nv | guest | VMCLEAR addr=0x2000 scale=4 | #UD", 2, "needs an 'index='"),
        ("@ c\nv | guest | VMCLEAR addr=0x2000 index=rax scale=3 | #UD", 2, "1, 2, 4 or 8"),
        ("@ c\nv | guest | VMCLEAR addr=0x2000 disp=0x80000000 | #UD", 2, "signed 32-bit"),
        ("@ c\nv | guest | VMCLEAR addr=0x2000 disp=-0x80000001 | #UD", 2, "signed 32-bit"),
        ("@ c\nv | guest | VMCLEAR addr=0x2000 asize=8 | #UD", 2, "16, 32 or 64"),
        ("@ c\nv | guest | VMCLEAR addr=0x2000 seg=tr | #UD", 2, "'seg=' must be"),
        ("@ c\nv | guest | VMCLEAR addr=0x2000 base=eax | #UD", 2, "must be a register"),
        ("@ c\nv | guest | VMCLEAR addr=0x2000 reg2=rcx | #UD", 2, "does not apply"),
        ("@ c\nv | guest | VMLAUNCH disp=8 | #UD", 2, "does not apply"),
        ("@ c\nv | guest | VMREAD enc=0 reg1=rcx | #UD", 2, "needs 'reg'"),
        ("@ c\nv | guest | VMREAD reg enc=0 base=rcx | #UD", 2, "the operand is 'reg'"),
        ("@ c\nv | guest | VMREAD enc=0 | exit(23) | info.scale=3", 2, "scale is 1, 2, 4 or 8"),
        ("@ c\nv | guest | VMREAD enc=0 | exit(23) | info.seg=6", 2, "out of range"),
        ("@ c\nv | guest | VMREAD enc=0 | exit(23) | info.base=16", 2, "rax-r15"),
        ("@ c\nv | outside gdtr.limit=0x100000000 | VMXON | #UD", 2, "out of range"),
        ("@ c\nv | root info.reg=1 | VMXON | #UD", 2, "needs a current VMCS"),
        // A `then` value is range-checked like a `given` one; EXITCODE is 64 bits wide (APM
        // Appendix B), so VMEXIT_INVALID is in range there.
        ("@ c\nv | outside | VMXON | #UD | cpl=7", 2, "out of range"),
    ])
    func rejectsMalformedInputWithItsLine(_ text: String, _ line: Int, _ message: String) {
        do {
            _ = try VectorParser.parse(text, file: "bad.vectors")
            Issue.record("accepted malformed input")
        } catch {
            #expect(error.line == line)
            #expect(error.description.hasPrefix("bad.vectors:\(line): "))
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    /// The operand encoding reaches the model: a VMREAD exit reports the register form's Reg1
    /// and Reg2, and a memory form's segment, base, index, scale and sign-extended displacement
    /// (SDM 28.2.1, 28.2.5 "Format of the VM-Exit Instruction-Information Field as Used for
    /// VMREAD and VMWRITE").
    @Test func operandEncodingIsReportedByTheExit() throws {
        let text = """
        @ SDM 28.2.5
        mem | guest | VMREAD enc=0x681e seg=ss base=r9 index=rcx scale=8 disp=-2 reg2=r14 | exit(23)
        reg | guest | VMREAD reg enc=0x681e reg1=rbx reg2=r8 | exit(23)
        """
        let vectors = try VectorParser.parse(text, file: "t")
        var memory = try vectors[0].initialState(.reference)
        _ = InstructionModel.standard(.vmread).execute(&memory, vectors[0].operands)
        // scale 8 (3), address size 64 (2 << 7), SS (2 << 15), index RCX (1 << 18), base R9 (9 << 23), Reg2 R14 (14 << 28)
        let expected: UInt64 = 3 | 2 << 7 | 2 << 15 | 1 << 18 | 9 << 23 | 14 << 28
        #expect(memory.currentField(VMCSFieldEncoding.exitInstructionInfo) == expected)
        #expect(memory.currentField(VMCSFieldEncoding.exitQualification) == 0xFFFF_FFFF_FFFF_FFFE)
        var register = try vectors[1].initialState(.reference)
        _ = InstructionModel.standard(.vmread).execute(&register, vectors[1].operands)
        #expect(register.currentField(VMCSFieldEncoding.exitInstructionInfo) == 3 << 3 | 1 << 10 | 8 << 28)
        #expect(register.currentField(VMCSFieldEncoding.exitQualification) == 0)
    }

    /// The runner reports a vector whose expectation the model does not meet: wrong outcome,
    /// a `then` setting that does not hold.
    @Test func runnerReportsMismatches() throws {
        let text = """
        @ deliberately wrong
        wrong-outcome | outside cpl=3 | VMXON addr=0x1000 | #UD
        wrong-then | outside | VMXON addr=0x1000 | VMsucceed | mode=outside
        right | outside | VMXON addr=0x1000 | VMsucceed | mode=root
        """
        let results = ConformanceRunner().run(try VectorParser.parse(text, file: "w"))
        #expect(results.map(\.passed) == [false, false, true])
        #expect(results[0].mismatches == ["outcome #GP(0), expected #UD"])
        #expect(results[1].mismatches == ["mode=outside does not hold (is 0x1)"])
    }

    /// The SDM 31.2 conventions are checked independently of the vector: a model that reports the
    /// right outcome but sets the wrong flags fails.
    @Test func runnerChecksStatusFlagConventions() throws {
        var models = ConformanceRunner.standardModels
        models[.vmxoff] = InstructionModel(.vmxoff, checks: InstructionModel.standard(.vmxoff).checks) { s, _ in
            s.mode = .outside
            s.vmxonPointer = nil
            return .vmSucceed   // without clearing the status flags
        }
        let text = "@ SDM VMXOFF row 5\nv | root rflags=0x8d7 | VMXOFF | VMsucceed\n"
        let result = ConformanceRunner(models: models).run(try VectorParser.parse(text, file: "c"))[0]
        #expect(!result.passed)
        #expect(result.mismatches.first?.hasPrefix("VMsucceed: RFLAGS") == true)
    }
}
