import Emulator
import Testing
import VirtCheckData

@Suite struct ConformanceSuiteTests {
    @Test func builtInVectorsAllPassOnTheReferenceCPU() throws {
        let report = try VerificationReport.verify()
        for failure in report.failures {
            Issue.record("\(failure.file):\(failure.line) \(failure.name): \(failure.mismatches.joined(separator: "; "))")
        }
        #expect(report.allPassed)
    }

    @Test func suiteCoversEveryInstructionWithAtLeast250Vectors() throws {
        let report = try VerificationReport.verify()
        #expect(report.vectors >= 250)
        for summary in report.instructions {
            #expect(summary.vectors >= 5, "\(summary.instruction.rawValue) has \(summary.vectors) vectors")
        }
    }

    /// One file per instruction, and each file holds only vectors of its instruction.
    @Test func eachFileHoldsOneInstruction() throws {
        for file in SpecVectors.files {
            let vectors = try VectorParser.parse(file.text, file: file.name)
            let instructions = Set(vectors.map(\.instruction.rawValue))
            #expect(instructions == [file.name.replacingOccurrences(of: ".vectors", with: "").uppercased()], "\(file.name)")
        }
    }
}
