import HostModel

/// What `virtcheck verify` reports, and what the report's `emulator` section holds: which CPU
/// configuration the model ran as, and pass counts per instruction.
public struct VerificationReport: Codable, Sendable, Hashable {
    public struct InstructionSummary: Codable, Sendable, Hashable {
        public var instruction: Instruction
        public var vectors: Int
        public var passed: Int
    }

    /// Which capabilities the model was configured from (e.g. "reference: Xeon Platinum 8180").
    public var configuration: String
    public var capabilities: VMXCapabilityMSRs
    public var vectors: Int
    public var passed: Int
    public var failed: Int
    public var instructions: [InstructionSummary]
    /// The vectors that failed, with their mismatches.
    public var failures: [VectorResult]

    public init(configuration: String, capabilities: VMXCapabilityMSRs, results: [VectorResult]) {
        self.configuration = configuration
        self.capabilities = capabilities
        vectors = results.count
        passed = results.filter(\.passed).count
        failed = vectors - passed
        instructions = Instruction.allCases.map { instruction in
            let mine = results.filter { $0.instruction == instruction }
            return InstructionSummary(instruction: instruction, vectors: mine.count, passed: mine.filter(\.passed).count)
        }
        failures = results.filter { !$0.passed }
    }

    public var allPassed: Bool { failed == 0 }

    /// The suite built into the binary (Data/spec), plus any extra vectors, on the given CPU.
    public static func verify(extra: [ConformanceVector] = [], capabilities: VMXCapabilityMSRs = .reference,
                              configuration: String = VerificationReport.referenceConfiguration) throws(InputError) -> VerificationReport {
        let vectors = try BuiltInVectors.load() + extra
        return VerificationReport(configuration: configuration, capabilities: capabilities,
                                  results: ConformanceRunner(capabilities: capabilities).run(vectors))
    }

    public static let referenceConfiguration =
        "reference: Intel Xeon Platinum 8180 (Skylake-SP) MSRs from Data/corpus/vmx-msrs, MAXPHYADDR 46"
}
