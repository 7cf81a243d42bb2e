import HostModel
import Testing
import VirtCheckData
@testable import Analysis

/// Popek and Goldberg's condition judged from real CPUID dumps (Fixtures/cpuid, PROVENANCE.md):
/// CPUs with and without VT-x/AMD-V and UMIP, and the facts the probes and MSRs add.
struct PopekGoldbergTests {
    /// Robin and Irvine's seventeen (USENIX Security 2000), as the table names them, plus the
    /// privileged system instructions of SDM Vol.3A 5.9: every one must be a row.
    @Test func theTableHoldsRobinAndIrvinesInstructionsAndThePrivilegedOnes() {
        let names = Set(DataTables.popekGoldberg.rows.compactMap { $0["instruction"] })
        let required = ["SGDT", "SIDT", "SLDT", "SMSW", "PUSHF", "POPF", "LAR", "LSL", "VERR", "VERW", "STR",
                        "CALL far", "JMP far", "RET far", "INT n", "MOV from Sreg", "MOV to Sreg", "PUSH Sreg",
                        "LGDT", "LIDT", "LLDT", "LTR", "LMSW", "CLTS", "MOV CRn", "MOV DRn", "HLT", "INVD", "WBINVD",
                        "INVLPG", "RDMSR", "WRMSR", "IN/OUT", "INS/OUTS", "CLI/STI", "RDTSC", "RDPMC", "CPUID"]
        #expect(Set(required).subtracting(names).isEmpty, "missing: \(Set(required).subtracting(names).sorted())")
        let classes: Set<String> = ["privileged", "control-sensitive", "behaviour-sensitive", "innocuous"]
        for row in DataTables.popekGoldberg.rows {
            #expect(classes.contains(row["class"] ?? ""), "\(row["instruction"] ?? "?"): class \(row["class"] ?? "nil")")
            #expect(!(row["source"] ?? "").isEmpty, "\(row["instruction"] ?? "?") has no source")
        }
    }

    /// Core 2 Duo E4500: no VT-x (CPUID.01H:ECX = 0xe39d, bit 5 clear), no UMIP (leaf 7 ECX = 0).
    @Test func aCore2WithoutVTxFailsTheConditionIncludingTheUMIPFive() throws {
        let a = try Fixtures.assess(cpuid: "allendale-core2-duo-e4500")
        let pg = try #require(a.popekGoldberg)
        #expect(pg.hardwareVirtualization == nil)
        #expect(pg.umip == false)
        #expect(pg.holdsWithoutHardware == false)
        #expect(pg.holdsWithHardware == false)
        for name in ["SGDT", "SIDT", "SLDT", "SMSW", "STR", "POPF", "PUSHF", "CPUID", "LAR"] {
            #expect(pg.remainingWithoutHardware.contains(name), "\(name)")
        }
        // RDTSC is closed by CR4.TSD, which every VMM can set; the privileged ones trap anyway.
        #expect(!pg.remainingWithoutHardware.contains("RDTSC"))
        #expect(!pg.remainingWithoutHardware.contains("HLT"))
        #expect(a.finding("pg.sensitive-unprivileged")?.status == .warn)
        #expect(a.finding("pg.umip")?.status == .warn)
        #expect(pg.probed == false)
    }

    /// Genoa (EPYC 9004): AMD-V and UMIP (leaf 7 ECX = 0x00415fce, bit 2 set).
    @Test func genoaWithAMDVAndUMIPHoldsWithHardware() throws {
        let a = try Fixtures.assess(cpuid: "genoa-01-no-snp")
        let pg = try #require(a.popekGoldberg)
        #expect(pg.hardwareVirtualization == "svm")
        #expect(pg.umip == true)
        #expect(pg.holdsWithHardware == true)
        for name in ["SGDT", "SIDT", "SLDT", "SMSW", "STR"] { #expect(!pg.remainingWithoutHardware.contains(name), "\(name)") }
        #expect(pg.remainingWithoutHardware.contains("POPF"))
        #expect(a.finding("pg.sensitive-unprivileged")?.status == .pass)
        #expect(a.finding("pg.umip")?.status == .pass)
        // A CPUID dump alone says nothing about CPUID faulting (an MSR or cpuinfo flag does).
        #expect(a.finding("pg.cpuid-faulting")?.status == .unknown)
    }

    /// Core 2 X6800 has VT-x; MSR_PLATFORM_INFO bit 31 set means CPUID faulting exists.
    @Test func cpuidFaultingComesFromPlatformInfoOrTheCpuinfoFlag() throws {
        var facts = FactsDecoder.decode(try Fixtures.snapshot(cpuid: "conroe-core2-x6800"))
        facts.msrs = [MSRRead(index: 0xCE, status: .ok, value: 1 << 31)]
        let pg = PopekGoldbergAnalyzer.analyze(facts)
        #expect(pg.cpuidFaulting == true)
        #expect(!pg.remainingWithoutHardware.contains("CPUID"))
        facts.msrs = nil
        facts.kernelFlags = ["fpu", "vmx"]
        #expect(PopekGoldbergAnalyzer.analyze(facts).cpuidFaulting == false)
        facts.kernelFlags = ["fpu", "cpuid_fault"]
        #expect(PopekGoldbergAnalyzer.analyze(facts).cpuidFaulting == true)
    }

    /// Probe results reach the table rows and the findings' evidence.
    @Test func probeResultsAreAttachedToTheirInstructions() throws {
        var snapshot = try Fixtures.snapshot(cpuid: "genoa-01-no-snp")
        snapshot.cpl3Probes = Cpl3ProbeEvidence(results: [
            Cpl3ProbeResult(probe: "sgdt", instruction: "SGDT", outcome: .emulated, signal: nil,
                            values: ["0xfffffffffffe0000", "0x0"], detail: "dummy"),
            Cpl3ProbeResult(probe: "popf", instruction: "POPF", outcome: .native, signal: nil,
                            values: ["0x207", "0x207"], detail: "IF kept"),
        ])
        let a = Assessor.assess(snapshot)
        let pg = try #require(a.popekGoldberg)
        #expect(pg.probed)
        #expect(pg.instructions.first { $0.instruction == "SGDT" }?.probed == "emulated")
        #expect(pg.instructions.first { $0.instruction == "POPF" }?.probed == "native")
        #expect(pg.instructions.first { $0.instruction == "LAR" }?.probed == nil)
        let evidence = a.finding("pg.sensitive-unprivileged")?.evidence.map(\.source) ?? []
        #expect(evidence.contains("CPL3 probe popf"))
        #expect(a.finding("pg.umip")?.evidence.map(\.source).contains("CPL3 probe sgdt") == true)
    }

    /// Without any CPUID the verdict with hardware is unknown, not a failure.
    @Test func noCPUIDMeansUnknown() {
        let snapshot = Snapshot(source: SourceInfo(kind: .files, paths: ["x"]))
        let a = Assessor.assess(snapshot)
        #expect(a.popekGoldberg?.holdsWithHardware == nil)
        #expect(a.finding("pg.sensitive-unprivileged")?.status == .unknown)
        #expect(a.finding("pg.umip")?.status == .unknown)
    }
}
